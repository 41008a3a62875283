package dev.mailtls.it.agent;

import static dev.mailtls.it.agent.AgentBed.delivered;
import static dev.mailtls.it.agent.AgentBed.subject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.MxEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent under applications that send through a popular library rather than the mail API
 * itself (Spring's {@code JavaMailSenderImpl}, Commons Email, Simple Java Mail), each library
 * unmodified, in each of its TLS settings: opportunistic STARTTLS (what most applications run
 * with), required STARTTLS and TLS on connect. The library wraps the mail library's exception in
 * its own; the agent's SMTP reply text must still be in the chain the application sees.
 */
class SenderLibraryTest extends AgentBedTest {
    private static final String PASSWORD = "s3cret-password";


    /** Every library in every TLS style its sample application offers. */
    static Stream<Arguments> librariesAndStyles() {
        return Stream.of(
                Arguments.of(SenderLibrary.SPRING_5_3, "starttls"),
                Arguments.of(SenderLibrary.SPRING_6_2, "starttls"),
                Arguments.of(SenderLibrary.COMMONS_EMAIL_1_5, "starttls"),
                Arguments.of(SenderLibrary.COMMONS_EMAIL_1_5, "ssl-on-connect"),
                Arguments.of(SenderLibrary.SIMPLE_JAVA_MAIL_8, "SMTP"),
                Arguments.of(SenderLibrary.SIMPLE_JAVA_MAIL_8, "SMTP_TLS"));
    }

    /** The styles that begin in plaintext, so that a man in the middle can strip STARTTLS. */
    static Stream<Arguments> startTlsStyles() {
        return librariesAndStyles().filter(arguments -> !arguments.get()[1].equals("ssl-on-connect"));
    }

    private static int port(String style) {
        return style.equals("ssl-on-connect") ? MxEndpoint.SMTPS_PORT : MxEndpoint.SMTP_PORT;
    }

    private SenderRun sender(SenderLibrary library, String host, String subject, String style) {
        return AgentBed.onBed(SenderRun.senderApp(library))
                .arguments(host, String.valueOf(port(style)), "user@" + host.substring("mx.".length()), subject, style)
                .agent(AgentBed.agentConfig(dir, "mailtls.level = dane-only"));
    }

    /** The failure the application caught and every cause under it. */
    private static List<String> failureChain(SenderRun.Result result) {
        List<String> chain = new ArrayList<>(List.of(result.outcome()));
        chain.addAll(result.causes());
        return chain;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("librariesAndStyles")
    void daneVerifiedDeliveryArrives(SenderLibrary library, String style) {
        String subject = subject();

        SenderRun.Result result = sender(library, "mx.dane-ok.test", subject, style).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(result.stderr()).as(result.toString())
                .contains("Verified TLS connection established to mx.dane-ok.test[127.0.0.2]:" + port(style) + ": TLSv1.3")
                .contains("DANE TLSA 3 1 1");
        assertThat(delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("startTlsStyles")
    void strippedStartTlsSendsNothingInClearAndTheApplicationSeesTheAgents454(SenderLibrary library, String style) {
        SenderRun.Result result = sender(library, "mx.starttls-strip.test", subject(), style).run();

        assertThat(result.outcome()).as(result.toString()).startsWith("FAILED ");
        assertThat(failureChain(result)).as(result.toString())
                .anyMatch(failure -> failure.contains("SMTPSendFailedException: 454 4.7.4 TLS is required, but was not offered"));
        AgentBed.assertNothingSensitiveInClear(bed.stripProxy(), "s3cret");
        assertThat(bed.mailboxes().messages("starttls-strip.test")).isEmpty();
    }

    /**
     * As above with a user name and password, and the proxy advertising AUTH as bait. Commons
     * Email and Simple Java Mail pass the credentials through an {@code Authenticator}: the mail
     * library's first {@code protocolConnect} call returns false before connecting, to ask for
     * them, and calls again; the policy decides on that second call.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("startTlsStyles")
    void strippedStartTlsKeepsThePasswordOffTheWire(SenderLibrary library, String style) {
        bed.stripProxy().setFakeAuth(true);

        SenderRun.Result result = sender(library, "mx.starttls-strip.test", subject(), style)
                .arguments("mailer", PASSWORD).run();

        assertThat(result.outcome()).as(result.toString()).startsWith("FAILED ");
        assertThat(failureChain(result)).as(result.toString())
                .anyMatch(failure -> failure.contains("SMTPSendFailedException: 454 4.7.4 TLS is required, but was not offered"));
        AgentBed.assertNothingSensitiveInClear(bed.stripProxy(), "s3cret");
        assertThat(result.stdout() + result.stderr()).doesNotContain(PASSWORD);
        assertThat(bed.mailboxes().messages("starttls-strip.test")).isEmpty();
    }

    /** Credentials given through an Authenticator must not stop a compliant delivery. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("librariesAndStyles")
    void daneVerifiedDeliveryWithCredentialsArrives(SenderLibrary library, String style) {
        String subject = subject();

        // The bed's Postfix offers no AUTH, so the libraries send without authenticating.
        SenderRun.Result result = sender(library, "mx.dane-ok.test", subject, style).arguments("mailer", PASSWORD).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
        assertThat(result.stdout() + result.stderr()).doesNotContain(PASSWORD);
    }

    @Test
    void commonsEmailSslOnConnectWithATlsaMismatchIsRefusedAfterOneConnection() {
        long mark = bed.postfixLog().mark();

        SenderRun.Result result = sender(SenderLibrary.COMMONS_EMAIL_1_5, "mx.dane-mismatch.test", subject(), "ssl-on-connect")
                .run();

        assertThat(result.outcome()).as(result.toString()).startsWith("FAILED org.apache.commons.mail.EmailException: ");
        assertThat(failureChain(result)).as(result.toString()).anyMatch(failure -> failure.contains(
                "SMTPSendFailedException: 454 4.7.5 Server certificate not verified: DANE: no TLSA record of _465._tcp.mx.dane-mismatch.test"));
        assertThat(bed.mailboxes().messages("dane-mismatch.test")).isEmpty();
        assertThat(AgentBed.postfixConnections(mark, "mx-smtps", bed.postfixSmtpsAddress()))
                .as(bed.postfixLog().textSince(mark)).hasSize(1);
    }
}
