package dev.mailtls.it.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.MxEndpoint;
import dev.mailtls.it.bed.TestDomains;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;

/**
 * The agent where the mail classes are not on the system class path, on Java 17 and on Java 25: a
 * web application in embedded Tomcat 10.1 with Jakarta Mail (Angus 2.0.3) in its own
 * {@code WEB-INF/lib}, and a Spring Boot 3.4 executable jar with its jars nested in
 * {@code BOOT-INF/lib}. The advice inlined into their {@code SMTPTransport} must reach the agent's
 * bridge from those loaders. The Spring Boot application also has a client certificate
 * in an SSL bundle ({@code spring.mail.ssl.bundle}), which Spring Boot hands to Jakarta Mail as a
 * TLS socket factory object: the agent must keep presenting it while making the trust decision.
 */
class DeploymentTest extends AgentBedTest {
    private static final String TOMCAT_LOADER = "LOADER org.apache.catalina.loader.ParallelWebappClassLoader";
    private static final String BOOT_LOADER = "LOADER org.springframework.boot.loader.launch.LaunchedClassLoader";
    private static final String SMTP_PACKAGE = MailLibrary.ANGUS_MAIL_2_0_3.smtpPackage();

    /** DANE delivery, stripped STARTTLS and a TLSA mismatch, all with opportunistic STARTTLS and no credentials. */
    private static List<Scenario> deployedScenarios() {
        return Scenario.startTlsOutcomes("starttls").stream()
                .filter(scenario -> List.of("dane", "strip", "mismatch").contains(scenario.name()))
                .map(Scenario::withoutCredentials).toList();
    }

    @TestFactory
    Stream<DynamicContainer> tomcatWebApplicationWithItsOwnJakartaMail() {
        String agent = AgentBed.agentConfig(dir, Scenario.RULES.toArray(new String[0]));
        return Stream.of(Jdk.values()).map(jdk -> new ScenarioRun("Tomcat 10.1 web application on " + jdk,
                AgentBed.onBed(Deployments.tomcat()).javaHome(jdk.home()).agent(agent),
                (prefix, scenarios) -> Stream.concat(Stream.of(prefix), scenarios.stream().map(Scenario::spec)).toList(),
                deployedScenarios(), SMTP_PACKAGE, false)
                .check("the mail classes came from the web application's class loader", result ->
                        assertThat(result.stdout()).as(result.toString()).contains(TOMCAT_LOADER).contains("HTTP 200"))
                .tests());
    }

    @TestFactory
    Stream<DynamicContainer> springBootExecutableJarWithAnSslBundle() {
        String agent = AgentBed.agentConfig(dir, Scenario.RULES.toArray(new String[0]));
        Path keyStore = AgentBed.clientKeyStore(dir);
        List<Scenario> scenarios = Scenario.all(deployedScenarios(), List.of(new Scenario("client-cert",
                "mx." + TestDomains.CLIENT_CERT, MxEndpoint.SMTP_PORT, "ssl-bundle", false, Scenario.Expect.CLIENT_CERTIFICATE)));
        return Stream.of(Jdk.values()).map(jdk -> new ScenarioRun("Spring Boot 3.4 executable jar on " + jdk,
                AgentBed.onBed(Deployments.springBootJar()).javaHome(jdk.home()).agent(agent)
                        .arguments("--spring.main.banner-mode=off", "--spring.mail.host=mx." + TestDomains.DANE_OK,
                                "--spring.mail.port=25",
                                "--spring.mail.properties.mail.smtp.starttls.enable=true",
                                "--spring.mail.properties.mail.smtp.connectiontimeout=20000",
                                "--spring.mail.properties.mail.smtp.timeout=20000",
                                "--spring.ssl.bundle.jks.client.keystore.location=file:" + keyStore,
                                "--spring.ssl.bundle.jks.client.keystore.password=" + AgentBed.CLIENT_KEY_STORE_PASSWORD,
                                "--spring.ssl.bundle.jks.client.keystore.type=PKCS12",
                                "--spring.mail.ssl.bundle=client"),
                (prefix, list) -> List.of("--sample.subject-prefix=" + prefix,
                        "--sample.scenarios=" + list.stream().map(Scenario::spec).collect(Collectors.joining(";"))),
                scenarios, SMTP_PACKAGE, true)
                .check("the mail classes came from Spring Boot's class loader", result ->
                        assertThat(result.stdout()).as(result.toString()).contains(BOOT_LOADER))
                .tests());
    }
}
