package dev.mailtls.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.mail.smtp.SMTPAddressFailedException;
import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.util.MailConnectException;
import com.sun.mail.util.SocketConnectException;
import dev.mailtls.queue.DeliveryResult;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What a failed re-send means for the queued message, from the library's own exceptions. */
class LibraryDelivererTest {
    @Test
    void aPolicyDeferralOrA4xxIsRetried() {
        DeliveryResult result = LibraryDeliverer.outcome(new SMTPSendFailedException("STARTTLS", 454,
                "454 4.7.5 Server certificate not verified: DANE: no TLSA record matched", null, null, null, null));

        assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(result.reason()).isEqualTo("454 4.7.5 Server certificate not verified: DANE: no TLSA record matched");
    }

    @Test
    void a5xxOrARejectingPolicyIsPermanent() {
        assertThat(LibraryDelivererTest.outcomeOf(new SMTPSendFailedException("DATA", 554, "554 5.7.1 rejected by policy",
                null, null, null, null))).isEqualTo(DeliveryResult.Outcome.FAILED);
        assertThat(outcomeOf(new MessagingException("554 5.7.4 TLS is required ... (action=reject)")))
                .isEqualTo(DeliveryResult.Outcome.FAILED);
    }

    @Test
    void aRecipientRefusedPermanentlyFailsTheWholeMessageNamingIt() throws Exception {
        Address bad = new InternetAddress("nobody@example.org");
        SendFailedException failure = new SendFailedException("Invalid Addresses",
                new SMTPAddressFailedException((InternetAddress) bad, "RCPT TO:<nobody@example.org>", 550,
                        "550 5.1.1 <nobody@example.org>: Recipient address rejected"),
                new Address[0], new Address[] {new InternetAddress("ok@example.org")}, new Address[] {bad});

        DeliveryResult result = LibraryDeliverer.outcome(failure);

        assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.FAILED);
        assertThat(result.reason()).isEqualTo("Invalid Addresses: 550 5.1.1 <nobody@example.org>: Recipient address rejected");
    }

    @Test
    void aRecipientRefusedTemporarilyDefersTheWholeMessage() throws Exception {
        InternetAddress busy = new InternetAddress("busy@example.org");
        SendFailedException failure = new SendFailedException("Invalid Addresses",
                new SMTPAddressFailedException(busy, "RCPT TO:<busy@example.org>", 452, "452 4.2.2 Mailbox full"),
                new Address[0], new Address[] {busy}, new Address[0]);

        assertThat(outcomeOf(failure)).isEqualTo(DeliveryResult.Outcome.DEFERRED);
    }

    @Test
    void aFailedLoginOrAnUnreachableServerIsRetried() {
        assertThat(outcomeOf(new AuthenticationFailedException("535 5.7.8 Error: authentication failed")))
                .isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(LibraryDeliverer.outcome(new AuthenticationFailedException("535 5.7.8 Error: authentication failed"))
                .reason()).startsWith("authentication failed: 535 5.7.8");
        assertThat(outcomeOf(new MailConnectException(new SocketConnectException("Connection refused",
                new IOException("Connection refused"), "mx.example.org", 25, 20000))))
                .isEqualTo(DeliveryResult.Outcome.DEFERRED);
    }

    private static DeliveryResult.Outcome outcomeOf(Exception failure) {
        return LibraryDeliverer.outcome(failure).outcome();
    }
}
