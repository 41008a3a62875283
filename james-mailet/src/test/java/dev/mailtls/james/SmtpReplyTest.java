package dev.mailtls.james;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmtpReplyTest {
    @Test
    void serverReplyKeepsItsCodeAndEnhancedStatus() {
        SmtpReply reply = SmtpReply.parse("550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n");
        assertThat(reply.code()).isEqualTo(550);
        assertThat(reply.permanent()).isTrue();
        assertThat(reply.status()).isEqualTo("5.1.1");
        assertThat(reply).hasToString("550 5.1.1 <nobody@example.com>: Recipient address rejected");
    }

    @Test
    void replyWithoutEnhancedStatusGetsOneFromItsClass() {
        assertThat(SmtpReply.parse("451 try later").status()).isEqualTo("4.0.0");
    }

    @Test
    void localFailureTextIsNoReply() {
        assertThat(SmtpReply.parse("Could not connect to SMTP host: 192.0.2.1, port: 25")).isNull();
    }

    @Test
    void givenUpKeepsTheTemporaryStatusAndSaysWhy() {
        SmtpReply reply = SmtpReply.of(454, "4.7.5", "TLSA lookup error").givenUp("gave up after 3 attempts");
        assertThat(reply.code()).isEqualTo(454);
        assertThat(reply).hasToString("454 4.7.5 TLSA lookup error; gave up after 3 attempts");
    }
}
