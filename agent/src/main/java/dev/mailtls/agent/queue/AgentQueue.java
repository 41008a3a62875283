package dev.mailtls.agent.queue;

import dev.mailtls.config.DurationSyntax;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.config.SizeSyntax;
import dev.mailtls.queue.Envelope;
import dev.mailtls.queue.MessageBody;
import dev.mailtls.queue.MessageQueue;
import dev.mailtls.queue.QueueException;
import dev.mailtls.queue.QueueFullException;
import dev.mailtls.queue.QueueSettings;
import dev.mailtls.queue.QueueWorker;
import dev.mailtls.queue.QueuedMessage;
import dev.mailtls.queue.SmtpDestination;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's side of the durable queue ({@code mailtls.queue.dir}): a connection the policy
 * defers no longer fails the application's send, as a local MTA's 250 would not. The transport
 * stays "connected" with no socket, each message sent on it is stored durably with its envelope
 * ({@link #send}), and a {@link QueueWorker} re-sends it through the application's own mail
 * library ({@link LibraryDeliverer}) once the destination complies. The guard calls this class;
 * it never sees an application object beyond the call.
 *
 * <p>What is kept where: message bytes, envelope, destination and reason on disk; the SMTP AUTH
 * password in memory only ({@link MemoryCredentials}); the application's mail classes weakly
 * ({@link GovernedTransports}). One per JVM: attaching the agent again replaces it.
 */
public final class AgentQueue implements Closeable {
    private static final Logger LOG = Logger.getLogger("dev.mailtls.agent");
    /**
     * Messages re-sent at the same time: one unreachable destination (a connect timeout per
     * message) does not hold up the others, as with Postfix's parallel delivery agents.
     */
    private static final int DELIVERY_THREADS = 4;
    private static AgentQueue running;

    private final MessageQueue queue;
    private final QueueWorker worker;
    private final QueuedTransports queued = new QueuedTransports();
    private final MemoryCredentials credentials = new MemoryCredentials();
    private final GovernedTransports governed = new GovernedTransports();

    private AgentQueue(MessageQueue queue) {
        this.queue = queue;
        this.worker = QueueWorker.builder(queue, new LibraryDeliverer(governed, credentials)).log(LOG)
                .threads(DELIVERY_THREADS).build();
    }

    /**
     * Opens the queue that {@code config} names and starts its worker, after stopping the one an
     * earlier attach started; {@code null} when {@code mailtls.queue.dir} is not set.
     *
     * @throws QueueException when the directory is unusable (missing and not creatable, not
     *     writable, not a directory): a configuration error, naming {@code mailtls.queue.dir}
     */
    public static synchronized AgentQueue start(MailTlsConfig config) throws QueueException {
        if (running != null) {
            running.close();
            running = null;
        }
        if (!config.queue().isPresent()) {
            return null;
        }
        QueueSettings settings = config.queue().get();
        AgentQueue started = new AgentQueue(MessageQueue.open(settings));
        started.worker.start();
        running = started;
        LOG.info("mailtls: queue " + settings.directory() + ": a deferred message is kept and retried (retry="
                + settings.retry() + ", max-age=" + DurationSyntax.format(settings.maxAge().toMillis()) + ", max-size="
                + SizeSyntax.format(settings.maxBytes(), settings.maxMessages()) + ", " + DELIVERY_THREADS + " at a time)");
        return started;
    }

    /**
     * An SMTP connection of {@code transport} starts, under the policy: it ends an earlier queued
     * connection of the same transport, proves its class governed and hands over its password.
     *
     * @param port the effective port (never -1)
     */
    public void connecting(Object transport, String protocol, String host, int port, String user, String password) {
        queued.remove(transport);
        governed.governed(transport.getClass());
        credentials.remember(protocol, host, port, user, password);
    }

    /** Whether a deferral on this thread is queued: everywhere but in the worker's own re-sends. */
    public boolean takesDeferrals() {
        return !Redelivery.onThisThread();
    }

    /**
     * The policy deferred {@code transport}'s connection (already closed, or never opened): its
     * messages go into the queue until it is closed or connects again.
     *
     * @throws IllegalStateException when the session's settings cannot be read; nothing is queued then
     *
     * @param session the transport's {@code Session}: its {@code mail.*} settings are kept to reconnect the same way
     * @param reason the refusal the application would have had, SMTP-coded
     */
    public void deferred(Object transport, Object session, String protocol, String host, int port, String user,
            String reason) {
        SmtpDestination destination = SmtpDestination.builder().protocol(protocol).host(host).port(port).user(user)
                .sessionProperties(sessionSettings(session))
                // The class that took the message; the retry prefers a governed class of that name.
                .sessionProperty("mail." + protocol + ".class", transport.getClass().getName())
                .build();
        queued.put(transport, new QueuedConnection(destination, reason));
    }

    public boolean isQueued(Object transport) {
        return queued.get(transport) != null;
    }

    public void closing(Object transport) {
        queued.remove(transport);
    }

    /**
     * {@code sendMessage(message, addresses)} on {@code transport}: on a queued connection, stores
     * the message with the envelope the library would have sent, and returns only once it is on disk.
     *
     * @return {@code false} when the connection is not a queued one (the library sends)
     * @throws NotQueuedException when the queue cannot take the message (full, disk error)
     * @throws Exception the library's own exception for what it refuses itself (no recipients,
     *     a message that is not a MimeMessage, a failing message body)
     */
    public boolean send(Object transport, Object session, Object message, Object addresses) throws Exception {
        QueuedConnection connection = queued.get(transport);
        if (connection == null) {
            return false;
        }
        HostMailLibrary library = HostMailLibrary.of(transport.getClass());
        library.checkSendable(message, addresses);
        String protocol = connection.destination().protocol();
        Envelope envelope = Envelope.of(library.envelopeSender(session, protocol, message),
                library.envelopeRecipients(addresses));
        MessageWriter body = new MessageWriter(library, message);
        QueuedMessage stored;
        try {
            stored = queue.enqueue(envelope, connection.destination(), connection.reason(), body);
        } catch (IOException notStored) {
            if (body.failure != null) {
                throw body.libraryFailure();
            }
            String why = notStored instanceof QueueFullException ? notStored.getMessage()
                    : "the queue in " + queue.directory() + " could not store it (" + notStored.getMessage() + ")";
            LOG.warning("mailtls: " + connection.destination().relay() + ": " + envelope + ": NOT queued: " + why);
            throw new NotQueuedException(connection.reason() + "; the queue did not take it: " + why, notStored);
        }
        LOG.info("mailtls: " + stored.id() + ": queued, " + envelopeText(envelope) + ", relay="
                + connection.destination().relay() + ", size=" + stored.size() + ", message-id="
                + library.messageId(message) + ", reason=(" + connection.reason() + ")");
        return true;
    }

    private static String envelopeText(Envelope envelope) {
        List<String> recipients = envelope.recipients();
        return "from=<" + envelope.sender() + ">, to=<" + String.join(">,<", recipients) + ">";
    }

    /** Stops the worker and closes the queue. */
    @Override
    public void close() {
        try {
            worker.close();
            queue.close();
        } catch (IOException | RuntimeException failed) {
            LOG.log(Level.WARNING, "mailtls: closing the queue in " + queue.directory() + " failed", failed);
        }
    }

    /** The message writer the queue calls, remembering a failure of the message itself. */
    private static final class MessageWriter implements MessageBody {
        private final HostMailLibrary library;
        private final Object message;
        private Exception failure;

        MessageWriter(HostMailLibrary library, Object message) {
            this.library = library;
            this.message = message;
        }

        @Override
        public void writeTo(OutputStream out) throws Exception {
            StoreStream store = new StoreStream(out);
            try {
                library.writeMessage(message, store);
            } catch (Exception failed) {
                // The library passes the queue's own write errors (disk full) through its writeTo;
                // those are the queue's failure, to be reported as "not queued", not the message's.
                if (!store.causedBy(failed)) {
                    failure = failed;
                }
                throw failed;
            }
        }

        /** As {@code SMTPTransport.sendMessage} reports it: the library's exception, an I/O error wrapped. */
        Exception libraryFailure() throws Exception {
            if (failure instanceof IOException) {
                return library.apiException("MessagingException", "IOException while sending message", failure);
            }
            return failure;
        }
    }

    /** The queue's output stream, remembering the write errors that are the store's own. */
    static final class StoreStream extends FilterOutputStream {
        private IOException storeFailure;

        StoreStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException failed) {
                storeFailure = failed;
                throw failed;
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                out.write(bytes, offset, length);
            } catch (IOException failed) {
                storeFailure = failed;
                throw failed;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException failed) {
                storeFailure = failed;
                throw failed;
            }
        }

        /** Whether {@code failure} is, or was caused by, a write error of the store. */
        boolean causedBy(Throwable failure) {
            for (Throwable cause = failure; cause != null && storeFailure != null; cause = cause.getCause()) {
                if (cause == storeFailure) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The string-valued {@code mail.*} settings of a {@code Session}, its defaults included (Commons
     * Email builds it on the system properties). Fails rather than queue a message that would be
     * re-sent differently: the guard then gives the application the deferral itself.
     */
    private static Map<String, String> sessionSettings(Object session) {
        Map<String, String> settings = new TreeMap<>();
        Properties properties;
        try {
            properties = (Properties) session.getClass().getMethod("getProperties").invoke(session);
        } catch (ReflectiveOperationException unreadable) {
            throw new IllegalStateException("cannot read the mail session's settings: " + unreadable, unreadable);
        }
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith("mail.")) {
                settings.put(name, properties.getProperty(name));
            }
        }
        return settings;
    }
}
