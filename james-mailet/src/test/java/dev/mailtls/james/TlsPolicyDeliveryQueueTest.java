package dev.mailtls.james;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.MessagingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue mode, as James runs the mailet (a MailQueueFactory and a MetricFactory injected):
 * what the spool thread does, what the delivery threads hand back to James and in which order
 * against the acknowledgement of the queued mail. No server is reached: address literals are
 * bounced before any connection, and the DNS server named (a closed loopback port) fails every
 * MX lookup, which defers. Real deliveries through the queue are in the integration tests (a real
 * James 3.8.1 with its memory queue).
 */
class TlsPolicyDeliveryQueueTest {
    private static final String QUEUE = "mailtls-outgoing";

    private final List<String> log = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (log) {
                log.add(record.getMessage());
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

    private FakeMailContext context;
    private TestMailQueue queue;
    private TestMetricFactory metrics;
    private TlsPolicyDelivery mailet;

    @BeforeEach
    void setUp() {
        logger.addHandler(handler);
        context = FakeMailContext.defaultContext();
        queue = new TestMailQueue(MailQueueName.of(QUEUE));
        metrics = new TestMetricFactory();
    }

    @AfterEach
    void tearDown() {
        if (mailet != null) {
            mailet.destroy();
        }
        logger.removeHandler(handler);
    }

    private void start(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("tls-delivery").mailetContext(context)
                // A closed port: every MX lookup fails at once, and the mail is deferred.
                .setProperty("mailtls.dns.servers", "127.0.0.1:9").setProperty("mailtls.dns.timeout", "1s")
                .setProperty("retryDelays", "1m,5m").setProperty("deliveryThreads", "2");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        mailet = new TlsPolicyDelivery();
        mailet.setMailQueueFactory(queue.factory());
        mailet.setMetricFactory(metrics);
        mailet.init(config.build());
    }

    private static FakeMail mail(String name, String... recipients) throws MessagingException {
        return FakeMail.builder().name(name).sender("sender@james.mailtls.invalid").recipients(recipients).state("relay")
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("sender@james.mailtls.invalid")
                        .addToRecipient(recipients).setSubject("queue test").setText("MailTLS Guard queue test"))
                .build();
    }

    private static Object attribute(Mail mail, String name) {
        return mail.getAttribute(AttributeName.of(name)).map(attribute -> attribute.getValue().value()).orElse(null);
    }

    /** The domain as James keeps it (3.9 drops the brackets of an address literal). */
    private static String domainOf(String address) throws MessagingException {
        return new MailAddress(address).getDomain().asString();
    }

    private String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    @Test
    void spoolThreadQueuesOneCopyPerDomainAndEndsTheMail() throws Exception {
        start();
        FakeMail mail = mail("m1", "a@[192.0.2.1]", "b@[192.0.2.2]", "c@[192.0.2.2]");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        // The delivery threads take the copies at once: their acknowledgements may come in between.
        List<TestMailQueue.Event> enqueued = new ArrayList<>();
        while (enqueued.size() < 2) {
            TestMailQueue.Event event = queue.next();
            if (event.what().equals("enqueue")) {
                enqueued.add(event);
            }
        }
        TestMailQueue.Event first = enqueued.get(0);
        TestMailQueue.Event second = enqueued.get(1);
        assertThat(first.delay()).isEqualTo(Duration.ZERO);
        assertThat(first.mail().getName()).isEqualTo("m1-to-" + domainOf("a@[192.0.2.1]"));
        assertThat(first.mail().getRecipients()).containsExactly(new MailAddress("a@[192.0.2.1]"));
        assertThat(second.mail().getName()).isEqualTo("m1-to-" + domainOf("b@[192.0.2.2]"));
        assertThat(second.mail().getRecipients()).containsExactly(new MailAddress("b@[192.0.2.2]"),
                new MailAddress("c@[192.0.2.2]"));
    }

    @Test
    void bounceIsHandedToJamesBeforeTheQueuedMailIsAcknowledged() throws Exception {
        start();
        queue.observeOnDone(() -> context.getSentMails().size());

        mailet.service(mail("m2", "a@[192.0.2.1]"));

        assertThat(queue.next().what()).isEqualTo("enqueue");
        TestMailQueue.Event done = queue.next();
        assertThat(done.what()).isEqualTo("done SUCCESS");
        assertThat(done.observed()).as("bounces in James's hands when the mail was acknowledged").isEqualTo(1);
        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat(bounce.getRecipients()).containsExactly(new MailAddress("a@[192.0.2.1]"));
        assertThat(bounce.getAttributes().get(AttributeName.of("delivery-error")).getValue().value().toString())
                .startsWith("550 5.1.2 the recipient domain " + domainOf("a@[192.0.2.1]") + " is an address literal, not a DNS name");
        assertThat(metrics.count(JamesDeliveryMetrics.BOUNCED)).isEqualTo(1);
        assertThat(metrics.count(JamesDeliveryMetrics.ATTEMPT)).isEqualTo(1);
    }

    @Test
    void deferredMailGoesBackIntoTheQueueWithItsDelayBeforeItIsAcknowledged() throws Exception {
        start();

        mailet.service(mail("m3", "user@example.invalid"));

        assertThat(queue.next().what()).isEqualTo("enqueue");
        TestMailQueue.Event retry = queue.next();
        assertThat(retry.what()).isEqualTo("enqueue");
        assertThat(retry.delay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(retry.mail().getRecipients()).containsExactly(new MailAddress("user@example.invalid"));
        assertThat(attribute(retry.mail(), "dev.mailtls.james.attempts")).isEqualTo(1);
        assertThat((String) attribute(retry.mail(), "dev.mailtls.james.last-error")).startsWith("451 4.4.3 ");
        long nextAttempt = (Long) attribute(retry.mail(), "dev.mailtls.james.next-attempt");
        assertThat(nextAttempt).isGreaterThan((Long) attribute(retry.mail(), "dev.mailtls.james.first-attempt"));
        assertThat(queue.next().what()).isEqualTo("done SUCCESS");
        assertThat(context.getSentMails()).as("nothing on the spool").isEmpty();
        assertThat(metrics.count(JamesDeliveryMetrics.DEFERRED)).isEqualTo(1);
        assertThat(log()).contains("to=<user@example.invalid>, relay=none, dsn=4.4.3, status=deferred (451 4.4.3 ")
                .contains("attempt=1, retry in 1m (queue mailtls-outgoing)");

        // A queue that ignores delays hands it back at once: the next delay, the attempt counted, and a warning.
        queue.enQueue(retry.mail());
        assertThat(queue.next().what()).isEqualTo("enqueue");
        TestMailQueue.Event second = queue.next();
        assertThat(second.delay()).isEqualTo(Duration.ofMinutes(5));
        assertThat(attribute(second.mail(), "dev.mailtls.james.attempts")).isEqualTo(2);
        assertThat(queue.next().what()).isEqualTo("done SUCCESS");
        assertThat(log()).contains("ignores delays (James's RabbitMQ queue does)");
    }

    @Test
    void retryProcessorParksDeferredMailOnTheSpoolInstead() throws Exception {
        start("retryProcessor", "tls-deferred");
        queue.observeOnDone(() -> context.getSentMails().size());

        mailet.service(mail("m4", "user@example.invalid"));

        assertThat(queue.next().what()).isEqualTo("enqueue");
        TestMailQueue.Event done = queue.next();
        assertThat(done.what()).isEqualTo("done SUCCESS");
        assertThat(done.observed()).isEqualTo(1);
        FakeMailContext.SentMail parked = context.getSentMails().get(0);
        assertThat(parked.getState()).isEqualTo("tls-deferred");
        assertThat(parked.getDelay()).map(delay -> delay.getTimeUnit().toMillis(delay.getDuration()))
                .contains(Duration.ofMinutes(1).toMillis());
    }

    @Test
    void mailWhoseOutcomeJamesDidNotTakeGoesBackIntoTheQueueWhole() throws Exception {
        start();
        queue.refuse(mail -> mail.getAttribute(AttributeName.of("dev.mailtls.james.attempts")).isPresent());

        mailet.service(mail("m5", "user@example.invalid"));

        assertThat(queue.next().what()).isEqualTo("enqueue");
        TestMailQueue.Event done = queue.next();
        assertThat(done.what()).isEqualTo("done RETRY");
        assertThat(done.mail().getRecipients()).containsExactly(new MailAddress("user@example.invalid"));
        assertThat(log()).contains("m5: James did not take the outcome of its delivery")
                .contains("it goes back into queue mailtls-outgoing whole");
    }

    @Test
    void mailWhoseOutcomeJamesDidNotTakeGoesBackWithTheScheduleDelayNotAtOnce() throws Exception {
        start();
        AtomicBoolean refusedOnce = new AtomicBoolean();
        // The deferred copy is refused once; putting the whole mail back is then accepted.
        queue.refuse(mail -> mail.getAttribute(AttributeName.of("dev.mailtls.james.attempts")).isPresent()
                && refusedOnce.compareAndSet(false, true));

        mailet.service(mail("m7", "user@example.invalid"));

        assertThat(queue.next().what()).isEqualTo("enqueue");
        TestMailQueue.Event whole = queue.next();
        assertThat(whole.what()).isEqualTo("enqueue");
        assertThat(whole.delay()).as("not handed back at once, where it would circle").isEqualTo(Duration.ofMinutes(1));
        assertThat(whole.mail().getRecipients()).containsExactly(new MailAddress("user@example.invalid"));
        assertThat(attribute(whole.mail(), "dev.mailtls.james.attempts")).as("the attempt counts").isEqualTo(1);
        assertThat((String) attribute(whole.mail(), "dev.mailtls.james.last-error"))
                .startsWith("451 4.3.0 James did not take the outcome of the delivery: ");
        assertThat(queue.next().what()).isEqualTo("done SUCCESS");
        assertThat(log()).contains("m7: James did not take the outcome of its delivery")
                .contains("whole, attempt=1, retry in 1m");
    }

    @Test
    void destroyLetsADeliveryInFlightHandItsOutcomeToJames() throws Exception {
        start();
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        // The deferred copy's hand-over waits until destroy() has stopped taking mail.
        queue.refuse(mail -> {
            if (mail.getAttribute(AttributeName.of("dev.mailtls.james.attempts")).isEmpty()) {
                return false;
            }
            inFlight.countDown();
            try {
                release.await();
                return false;
            } catch (InterruptedException stopped) {
                interrupted.set(true);
                return true;
            }
        });
        Handler releaseOnStop = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage().startsWith("mailtls: stopped taking mail from queue")) {
                    release.countDown();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(releaseOnStop);
        try {
            mailet.service(mail("m8", "user@example.invalid"));
            assertThat(queue.next().what()).isEqualTo("enqueue");
            inFlight.await();

            mailet.destroy();
            mailet = null;
        } finally {
            logger.removeHandler(releaseOnStop);
            release.countDown();
        }

        assertThat(interrupted).as("the delivery thread was interrupted").isFalse();
        List<String> events = queue.drain().stream().map(TestMailQueue.Event::what).toList();
        assertThat(events).containsExactly("enqueue", "done SUCCESS", "close");
    }

    @Test
    void queueRefusingACopyFailsTheSpoolThreadWithTheRecipientsNotQueued() throws Exception {
        start();
        String refusedName = "m6-to-" + domainOf("b@[192.0.2.2]");
        queue.refuse(mail -> mail.getName().equals(refusedName));
        FakeMail mail = mail("m6", "a@[192.0.2.1]", "b@[192.0.2.2]");

        assertThatThrownBy(() -> mailet.service(mail)).isInstanceOf(MessagingException.class)
                .hasMessageContaining("test queue refuses " + refusedName);

        assertThat(mail.getRecipients()).containsExactly(new MailAddress("b@[192.0.2.2]"));
        assertThat(mail.getState()).isEqualTo("relay");
    }

    @Test
    void destroyClosesTheQueue() throws Exception {
        start();
        mailet.destroy();
        mailet = null;
        assertThat(queue.drain()).extracting(TestMailQueue.Event::what).containsExactly("close");
    }

    @Test
    void startupLineSaysHowTheMailetDelivers() throws Exception {
        start("deliveryThreads", "7");
        assertThat(log()).contains("delivering from queue mailtls-outgoing with 7 threads; metrics to James");
    }
}
