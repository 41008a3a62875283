package dev.mailtls.it.agent;

import static dev.mailtls.it.agent.AgentBed.subject;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What the agent does before any policy applies: a configuration it cannot use blocks all SMTP
 * sending of the application (fail closed), with the problem on standard error. The policy's
 * outcomes themselves are in {@link SenderMatrixTest}.
 */
class AgentEnforcementTest extends AgentBedTest {
    @Test
    void brokenConfigurationBlocksAllSmtpSending() {
        SenderRun.Result result = AgentBed.sampleSender(MailLibrary.JAVAX_MAIL_1_4_7, "mx.dane-ok.test", 25, subject(), "starttls")
                .agent(AgentBed.agentConfig(dir, "mailtls.levle = dane-only")).run();

        assertThat(result.stderr()).contains("mailtls.levle").contains("did you mean mailtls.level?")
                .contains("all SMTP sending is blocked");
        assertThat(result.outcome()).startsWith("FAILED com.sun.mail.smtp.SMTPSendFailedException: 454 4.7.5 MailTLS Guard blocks SMTP sending");
        assertThat(bed.mailboxes().messages("dane-ok.test")).isEmpty();
    }
}
