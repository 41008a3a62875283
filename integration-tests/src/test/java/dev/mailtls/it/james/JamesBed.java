package dev.mailtls.it.james;

import dev.mailtls.it.bed.BedProperties;
import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.TestBed;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.Mailet;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;

/**
 * What the James mailet's bed tests share: a MailTLS Guard configuration pointing at the bed
 * (its validating resolver, trust anchor and CA), mails to send, the mailet's log lines (SLF4J
 * reaches java.util.logging here) and the attribute values of the mails it handed back to James.
 */
final class JamesBed {
    /** The processor the mailet runs in, as in the documented mailetcontainer.xml. */
    static final String PROCESSOR = "relay-tls";

    private final TestBed bed;
    private final Path dir;
    private final List<String> logLines = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logLines) {
                logLines.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger logger = Logger.getLogger("dev.mailtls.james");

    JamesBed(TestBed bed, Path dir) {
        this.bed = bed;
        this.dir = dir;
        logger.addHandler(handler);
    }

    void close() {
        logger.removeHandler(handler);
    }

    /** The deployment file: the bed's DNS and CA, plus {@code lines}. */
    Path configFile(String... lines) throws IOException {
        List<String> all = new ArrayList<>(List.of(
                "mailtls.dns.servers = " + bed.properties().getProperty(BedProperties.RESOLVER),
                "mailtls.dns.dnssec = validate",
                "mailtls.dns.trust-anchors = " + bed.properties().getProperty(BedProperties.TRUST_ANCHOR_DS_FILE),
                "mailtls.dns.timeout = 3s",
                "mailtls.tls.trust-store = " + bed.certificates().caFile()));
        all.addAll(List.of(lines));
        Path file = dir.resolve("mailtls-" + UUID.randomUUID() + ".properties");
        Files.write(file, all);
        return file;
    }

    /** Initialises {@code mailet} with the bed configuration file and the given init parameters (name, value, ...). */
    <T extends Mailet> T init(T mailet, FakeMailContext context, String... parameters) throws IOException, MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("tls-delivery").mailetContext(context)
                .setProperty("config", configFile().toString())
                .setProperty("connectionTimeout", "10s").setProperty("timeout", "30s")
                .setProperty("heloName", "james.mailtls.invalid");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }

    static String subject() {
        return "james-it-" + UUID.randomUUID();
    }

    /** A mail as James's spool hands it to the mailet: in processor {@link #PROCESSOR}, from a local sender. */
    static FakeMail mail(String subject, String... recipients) throws MessagingException {
        return FakeMail.builder().name("mail-" + UUID.randomUUID()).sender("sender@james.mailtls.invalid")
                .recipients(recipients).state(PROCESSOR)
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("sender@james.mailtls.invalid")
                        .addToRecipient(recipients).setSubject(subject).setText("MailTLS Guard James mailet test"))
                .build();
    }

    /** The mail James's spool would hand back after a {@code sendMail(mail, state, delay)}: the copy the mailet queued. */
    static FakeMail requeued(FakeMailContext.SentMail sent) throws MessagingException {
        List<MailAddress> recipients = new ArrayList<>(sent.getRecipients());
        return FakeMail.builder().name("mail-" + UUID.randomUUID()).sender(sent.getSender()).recipients(recipients)
                .state(sent.getState()).attributes(sent.getAttributes().values()).mimeMessage(sent.getMsg()).build();
    }

    /**
     * The message with {@code subject} in {@code domain}'s mailbox, waiting for it: Postfix delivers
     * the mail it accepted in its own order, so the first message to arrive may be another one.
     * Fails (naming how many arrived) when none with the subject comes within 20 s of the last one.
     */
    DeliveredMessage delivered(String domain, String subject) {
        for (int count = 1; ; count++) {
            List<DeliveredMessage> messages;
            try {
                messages = bed.mailboxes().awaitMessages(domain, count, Duration.ofSeconds(20));
            } catch (AssertionError notArrived) {
                throw new AssertionError("no message \"" + subject + "\" for " + domain + ": " + notArrived.getMessage());
            }
            for (DeliveredMessage message : messages) {
                if (message.headers("Subject").contains(subject)) {
                    return message;
                }
            }
            count = Math.max(count, messages.size());
        }
    }

    String log() {
        synchronized (logLines) {
            return String.join("\n", logLines);
        }
    }

    static Object attribute(FakeMailContext.SentMail sent, String name) {
        Attribute attribute = sent.getAttributes().get(AttributeName.of(name));
        return attribute == null ? null : attribute.getValue().value();
    }

    static Object attribute(Mail mail, String name) {
        return mail.getAttribute(AttributeName.of(name)).map(attribute -> attribute.getValue().value()).orElse(null);
    }

    /** The command lines a client sent over a proxied connection, in order (no message was sent on these). */
    static List<String> commands(ProxyConnection connection) {
        return connection.clientText().lines().filter(line -> !line.isBlank()).toList();
    }

    static long delayMillis(FakeMailContext.SentMail sent) {
        return sent.getDelay().map(delay -> delay.getTimeUnit().toMillis(delay.getDuration()))
                .orElseThrow(() -> new AssertionError("sent without a delay: " + sent));
    }

    static long minutes(long count) {
        return TimeUnit.MINUTES.toMillis(count);
    }
}
