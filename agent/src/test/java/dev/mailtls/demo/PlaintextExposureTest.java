package dev.mailtls.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PlaintextExposureTest {
    private static PlaintextExposure of(String transcript) {
        return PlaintextExposure.of(transcript.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void ehloThenStartTlsRevealsNothing() {
        PlaintextExposure exposure = of("EHLO client\r\nSTARTTLS\r\n");
        assertThat(exposure.isEmpty()).isTrue();
        assertThat(exposure).hasToString("none");
    }

    @Test
    void plaintextSessionRevealsLoginEnvelopeAndMessage() {
        String credentials = Base64.getEncoder().encodeToString("\0user\0secret".getBytes(StandardCharsets.UTF_8));
        String commands = "AUTH PLAIN " + credentials + "\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n";
        String message = "Subject: hi\r\n\r\nbody\r\n.\r\n";
        PlaintextExposure exposure = of("EHLO client\r\n" + commands + message + "QUIT\r\n");
        assertThat(exposure.commands()).containsExactly("AUTH", "MAIL", "RCPT", "DATA");
        assertThat(exposure.commandBytes()).isEqualTo(commands.length());
        assertThat(exposure.messageBytes()).isEqualTo(message.length());
        assertThat(exposure.password()).isEqualTo("secret");
    }

    @Test
    void credentialsOnTheirOwnLineCountAsAuth() {
        String credentials = Base64.getEncoder().encodeToString("\0user\0secret".getBytes(StandardCharsets.UTF_8));
        PlaintextExposure exposure = of("EHLO client\r\nAUTH PLAIN\r\n" + credentials + "\r\nQUIT\r\n");
        assertThat(exposure.commands()).containsExactly("AUTH");
        assertThat(exposure.password()).isEqualTo("secret");
    }

    @Test
    void commandsBeforeEhloAreNotCounted() {
        assertThat(of("MAIL FROM:<a@b.test>\r\n").isEmpty()).isTrue();
    }
}
