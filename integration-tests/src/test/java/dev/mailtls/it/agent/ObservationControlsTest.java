package dev.mailtls.it.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.SmtpTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Positive controls for the observations the agent tests draw conclusions from: each is shown to
 * see what it looks for when it is there, so that not finding it under the agent means something.
 * In the test JVM, without the agent.
 */
class ObservationControlsTest extends AgentBedTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

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

    /**
     * A client that authenticates in clear through the stripping proxy, with AUTH PLAIN and with
     * AUTH LOGIN: the password never shows as such on the wire, only base64-encoded, and the
     * password check finds it in both; a plain search would not.
     */
    @Test
    void passwordIsFoundBase64EncodedInAuthPlainAndLogin() throws IOException {
        bed.stripProxy().setFakeAuth(true);
        Base64.Encoder base64 = Base64.getEncoder();
        try (SmtpTestClient client = SmtpTestClient.connect(bed.stripProxy().address(), WAIT)) {
            client.ehlo("client.test");
            String plain = "\0" + Scenario.USER + "\0" + Scenario.PASSWORD;
            assertThat(client.command("AUTH PLAIN " + base64.encodeToString(plain.getBytes(StandardCharsets.US_ASCII))).code())
                    .as(client.transcript().toString()).isEqualTo(235);
            client.quit();
        }
        try (SmtpTestClient client = SmtpTestClient.connect(bed.stripProxy().address(), WAIT)) {
            client.ehlo("client.test");
            assertThat(client.command("AUTH LOGIN").code()).isEqualTo(334);
            assertThat(client.command(base64.encodeToString(Scenario.USER.getBytes(StandardCharsets.US_ASCII))).code())
                    .isEqualTo(334);
            assertThat(client.command(base64.encodeToString(Scenario.PASSWORD.getBytes(StandardCharsets.US_ASCII))).code())
                    .as(client.transcript().toString()).isEqualTo(235);
            client.quit();
        }
        bed.stripProxy().awaitAllClosed(WAIT);

        List<ProxyConnection> connections = bed.stripProxy().connections();
        assertThat(connections).hasSize(2);
        for (ProxyConnection connection : connections) {
            assertThat(connection.clientText()).as("not in clear as such").doesNotContain(Scenario.PASSWORD);
            assertThat(PasswordExposures.find(connection.clientText(), Scenario.PASSWORD)).as(connection.transcript())
                    .singleElement().asString().startsWith("base64 ");
        }
        assertThat(bed.stripProxy().cleartextSensitiveCommands()).anyMatch(command -> command.startsWith("AUTH PLAIN"))
                .anyMatch(command -> command.startsWith("AUTH LOGIN"));
    }

    /** The check also finds the password in clear, and the same bytes inside a longer base64 text at any offset. */
    @Test
    void passwordIsFoundInClearAndAtEveryOffsetOfABase64Text() {
        Base64.Encoder base64 = Base64.getEncoder();
        assertThat(PasswordExposures.find("PASS " + Scenario.PASSWORD + "\r\n", Scenario.PASSWORD)).containsExactly("in clear");
        for (String before : List.of("", "a", "ab", "abc")) {
            String encoded = base64.encodeToString((before + Scenario.PASSWORD + "!").getBytes(StandardCharsets.US_ASCII));
            assertThat(PasswordExposures.find("334 \r\n" + encoded + "\r\n", Scenario.PASSWORD)).as(encoded).hasSize(1);
        }
        assertThat(PasswordExposures.find("AUTH PLAIN " + base64.encodeToString("\0mailer\0other".getBytes(StandardCharsets.US_ASCII)),
                Scenario.PASSWORD)).isEmpty();
    }
}
