package dev.mailtls.it.agent;

import static dev.mailtls.it.agent.AgentBed.delivered;
import static dev.mailtls.it.agent.AgentBed.subject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.MxEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Implicit TLS (TLS on connect, port 465) under the agent, in the two ways applications ask for
 * it: protocol {@code smtps}, and an SSL socket factory class on protocol {@code smtp} (the
 * Commons Email style, where the library's {@code useSSL} flag stays false). The TLSA records
 * that apply are those of port 465, and a refused handshake must not be retried over a second,
 * unverified connection (JavaMail's {@code socketFactory.fallback}, true by default for smtps).
 */
class ImplicitTlsTest extends AgentBedTest {
    /** Every mail library generation, in both implicit-TLS styles of the sample application. */
    static Stream<Arguments> librariesAndStyles() {
        return Arrays.stream(MailLibrary.values())
                .flatMap(library -> Stream.of(Arguments.of(library, "smtps"), Arguments.of(library, "ssl-factory")));
    }

    private static SenderRun sender(MailLibrary library, String host, String subject, String style) {
        return AgentBed.sampleSender(library, host, MxEndpoint.SMTPS_PORT, subject, style);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("librariesAndStyles")
    void daneVerifiedDeliveryOverImplicitTlsArrives(MailLibrary library, String style) {
        String subject = subject();
        long mark = bed.postfixLog().mark();

        SenderRun.Result result = sender(library, "mx.dane-ok.test", subject, style)
                .agent(AgentBed.agentConfig(dir, "mailtls.level = dane-only")).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(result.stderr()).as(result.toString())
                .contains("Verified TLS connection established to mx.dane-ok.test[127.0.0.2]:465: TLSv1.3")
                .contains("DANE TLSA 3 1 1");
        assertThat(delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
        assertThat(AgentBed.postfixConnections(mark, "mx-smtps", bed.postfixSmtpsAddress())).hasSize(1);
    }

    /** The count that the no-fallback check relies on sees every connection: two made, two counted. */
    @Test
    void postfixLogCountsEverySmtpsConnection() throws IOException {
        long mark = bed.postfixLog().mark();
        for (int i = 0; i < 2; i++) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
                socket.connect(bed.postfixSmtpsAddress(), 5000);
            }
        }

        assertThat(AgentBed.postfixConnections(mark, "mx-smtps", bed.postfixSmtpsAddress())).hasSize(2);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("librariesAndStyles")
    void tlsaMismatchOnPort465IsRefusedAfterOneConnectionWithoutFallback(MailLibrary library, String style) {
        long mark = bed.postfixLog().mark();

        SenderRun.Result result = sender(library, "mx.dane-mismatch.test", subject(), style)
                .agent(AgentBed.agentConfig(dir, "mailtls.level = dane-only")).run();

        assertThat(result.outcome()).as(result.toString())
                .startsWith("FAILED " + library.smtpPackage() + ".SMTPSendFailedException: 454 4.7.5 Server certificate not verified: "
                        + "DANE: no TLSA record of _465._tcp.mx.dane-mismatch.test matched");
        assertThat(bed.mailboxes().messages("dane-mismatch.test")).isEmpty();
        List<String> connections = AgentBed.postfixConnections(mark, "mx-smtps", bed.postfixSmtpsAddress());
        assertThat(connections).as("one TLS connection attempt, no silent second one:\n" + bed.postfixLog().textSince(mark))
                .hasSize(1);
        assertThat(bed.postfixLog().textSince(mark)).doesNotContain("TLS connection established from unknown[127.0.0.1]");
    }
}
