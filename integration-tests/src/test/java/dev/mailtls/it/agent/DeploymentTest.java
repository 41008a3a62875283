package dev.mailtls.it.agent;

import static dev.mailtls.it.agent.AgentBed.delivered;
import static dev.mailtls.it.agent.AgentBed.subject;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent where the mail classes are not on the system class path: a web application in
 * embedded Tomcat 10.1 with Jakarta Mail (Angus 2.0.3) in its own {@code WEB-INF/lib}, and a
 * Spring Boot 3.4 executable jar with its jars nested in {@code BOOT-INF/lib}. The advice inlined
 * into their {@code SMTPTransport} must reach the agent's bootstrap bridge from those loaders.
 */
class DeploymentTest extends AgentBedTest {
    private static final String TOMCAT_LOADER = "LOADER org.apache.catalina.loader.ParallelWebappClassLoader";
    private static final String BOOT_LOADER = "LOADER org.springframework.boot.loader.launch.LaunchedClassLoader";


    private SenderRun.Result tomcat(String host, String subject) {
        return AgentBed.onBed(Deployments.tomcat())
                .arguments(host, "25", "user@" + host.substring("mx.".length()), subject)
                .agent(AgentBed.agentConfig(dir, "mailtls.level = dane-only")).run();
    }

    private SenderRun.Result springBoot(String host, String subject) {
        return AgentBed.onBed(Deployments.springBootJar())
                .arguments("--spring.main.banner-mode=off", "--spring.mail.host=" + host, "--spring.mail.port=25",
                        "--spring.mail.properties.mail.smtp.starttls.enable=true",
                        "--spring.mail.properties.mail.smtp.connectiontimeout=20000",
                        "--sample.to=user@" + host.substring("mx.".length()), "--sample.subject=" + subject)
                .agent(AgentBed.agentConfig(dir, "mailtls.level = dane-only")).run();
    }

    private static void assertDaneDelivery(SenderRun.Result result, String subject) {
        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(result.stderr()).as(result.toString())
                .contains("Verified TLS connection established to mx.dane-ok.test[127.0.0.2]:25: TLSv1.3")
                .contains("DANE TLSA 3 1 1");
        assertThat(delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
    }

    private static void assertStrippedStartTlsRefused(SenderRun.Result result) {
        List<String> chain = new ArrayList<>(List.of(result.outcome()));
        chain.addAll(result.causes());
        assertThat(result.outcome()).as(result.toString()).startsWith("FAILED ");
        assertThat(chain).as(result.toString())
                .anyMatch(failure -> failure.contains("SMTPSendFailedException: 454 4.7.4 TLS is required, but was not offered"));
        AgentBed.assertNothingSensitiveInClear(bed.stripProxy(), "sender@client.test");
        assertThat(bed.mailboxes().messages("starttls-strip.test")).isEmpty();
    }

    @Test
    void tomcatWebApplicationWithItsOwnJakartaMailDeliversOverDane() {
        String subject = subject();

        SenderRun.Result result = tomcat("mx.dane-ok.test", subject);

        assertThat(result.stdout()).as(result.toString()).contains(TOMCAT_LOADER).contains("HTTP 200");
        assertDaneDelivery(result, subject);
    }

    @Test
    void tomcatWebApplicationBehindAStrippedStartTlsIsRefused() {
        SenderRun.Result result = tomcat("mx.starttls-strip.test", subject());

        assertThat(result.stdout()).as(result.toString()).contains(TOMCAT_LOADER);
        assertStrippedStartTlsRefused(result);
    }

    @Test
    void springBootExecutableJarDeliversOverDane() {
        String subject = subject();

        SenderRun.Result result = springBoot("mx.dane-ok.test", subject);

        assertThat(result.stdout()).as(result.toString()).contains(BOOT_LOADER);
        assertDaneDelivery(result, subject);
    }

    @Test
    void springBootExecutableJarBehindAStrippedStartTlsIsRefused() {
        SenderRun.Result result = springBoot("mx.starttls-strip.test", subject());

        assertThat(result.stdout()).as(result.toString()).contains(BOOT_LOADER);
        assertStrippedStartTlsRefused(result);
    }
}
