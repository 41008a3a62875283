package dev.mailtls.agent.queue;

import dev.mailtls.queue.Deliverer;
import dev.mailtls.queue.DeliveryResult;
import dev.mailtls.queue.QueuedMessage;
import dev.mailtls.queue.SmtpDestination;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Re-sends a queued message through the application's own mail library, as the application itself
 * would with {@code connect()} then {@code sendMessage()}: a new Session from the stored settings,
 * the stored bytes parsed as they are (never saved again: the Message-ID stays), the stored
 * envelope, a new transport of a class the policy governs. So every retry is a fresh connection
 * under a fresh policy decision, and a deferral comes back here as the attempt's result
 * ({@link Redelivery}) instead of being queued again.
 *
 * <p>A message goes to all its recipients in one SMTP transaction or to none
 * ({@code sendpartial=false}): a recipient the server refuses permanently (5xx) moves the whole
 * message to {@code dead/}, naming every refusal, while a temporary refusal (4xx) of any recipient
 * defers it all. A failed AUTH defers (Postfix's {@code smtp_sasl_auth_soft_bounce}): the
 * application's next connection brings the current password.
 */
final class LibraryDeliverer implements Deliverer {
    private final GovernedTransports governed;
    private final MemoryCredentials credentials;

    LibraryDeliverer(GovernedTransports governed, MemoryCredentials credentials) {
        this.governed = governed;
        this.credentials = credentials;
    }

    @Override
    public DeliveryResult deliver(QueuedMessage queued, InputStream body) throws Exception {
        SmtpDestination destination = queued.destination();
        Class<?> transportClass = transportClass(destination);
        if (transportClass == null) {
            return DeliveryResult.notReady("the application has made no SMTP connection in this JVM yet, so its mail"
                    + " library is not known to be governed by the policy");
        }
        String password = null;
        if (destination.user() != null) {
            password = credentials.password(destination);
            if (password == null) {
                return DeliveryResult.notReady("no password for " + destination + " in this JVM: passwords are kept"
                        + " in memory only, and the application has not connected there since the start");
            }
        }
        HostMailLibrary library = HostMailLibrary.of(transportClass);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // The library finds its providers and content handlers through the context class loader.
        thread.setContextClassLoader(library.loader());
        try {
            Object session = library.session(retrySettings(destination));
            Object message = library.message(session, body, queued.envelope().sender());
            Object addresses = library.addresses(queued.envelope().recipients());
            String secret = password;
            Redelivery.run(() -> {
                library.send(session, destination.protocol(), destination.host(), destination.port(), destination.user(),
                        secret, message, addresses);
                return null;
            });
            return DeliveryResult.delivered();
        } catch (Exception failure) {
            return outcome(failure);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * A governed class for the stored destination: the one that took the message, or the class for
     * the protocol ({@code SMTPTransport}, {@code SMTPSSLTransport}) beside any governed one.
     */
    private Class<?> transportClass(SmtpDestination destination) throws ClassNotFoundException {
        String stored = destination.sessionProperties().get("mail." + destination.protocol() + ".class");
        Class<?> known = governed.find(stored);
        if (known == null || known.getName().equals(stored)) {
            return known;
        }
        Class<?> candidate = HostMailLibrary.of(known)
                .implementationClass("smtps".equals(destination.protocol()) ? "SMTPSSLTransport" : "SMTPTransport");
        return governed.isGoverned(candidate) ? candidate : null;
    }

    /**
     * The stored settings, with two changes: one transaction for all recipients or none, and no
     * 8BITMIME conversion, which would re-save the message and give it a new Message-ID.
     */
    private static Properties retrySettings(SmtpDestination destination) {
        Properties settings = new Properties();
        settings.putAll(destination.sessionProperties());
        String prefix = "mail." + destination.protocol();
        settings.setProperty(prefix + ".sendpartial", "false");
        settings.remove(prefix + ".allow8bitmime");
        return settings;
    }

    /** What a failed attempt means for the message: permanent (5xx) to dead/, anything else retried. */
    static DeliveryResult outcome(Exception failure) {
        String text = describe(failure);
        if (simpleNameIs(failure, "AuthenticationFailedException")) {
            return DeliveryResult.deferred("authentication failed: " + text);
        }
        List<String> details = new ArrayList<>();
        boolean permanent = false;
        boolean coded = false;
        Throwable cause = failure;
        // Bounded: a chain of next exceptions can loop.
        for (int depth = 0; cause != null && depth < 20; depth++, cause = next(cause)) {
            Integer code = returnCode(cause);
            if (code != null) {
                coded = true;
                permanent |= code >= 500;
                if (cause != failure) {
                    details.add(describe(cause));
                }
            }
        }
        if (!coded) {
            // An exception without a reply code: a policy failure from a plain MessagingException
            // (5.7.x with action=reject) or a connection problem (temporary).
            permanent = text.startsWith("5");
        }
        String reason = details.isEmpty() ? text : text + ": " + String.join("; ", details);
        return permanent ? DeliveryResult.failed(reason) : DeliveryResult.deferred(reason);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return (message == null ? failure.getClass().getName() : message).replace('\n', ' ').replace('\r', ' ').trim();
    }

    private static boolean simpleNameIs(Throwable failure, String simpleName) {
        for (Class<?> type = failure.getClass(); type != null; type = type.getSuperclass()) {
            if (type.getSimpleName().equals(simpleName)) {
                return true;
            }
        }
        return false;
    }

    /** The SMTP reply code of the library's SMTP exceptions ({@code getReturnCode()}), else {@code null}. */
    private static Integer returnCode(Throwable failure) {
        Object code = call(failure, "getReturnCode");
        return code instanceof Integer && (Integer) code > 0 ? (Integer) code : null;
    }

    /** The next exception of a {@code MessagingException} (per-recipient failures hang there), else the cause. */
    private static Throwable next(Throwable failure) {
        Object next = call(failure, "getNextException");
        return next instanceof Throwable ? (Throwable) next : failure.getCause();
    }

    private static Object call(Throwable failure, String name) {
        try {
            Method method = failure.getClass().getMethod(name);
            return method.invoke(failure);
        } catch (ReflectiveOperationException | RuntimeException absent) {
            return null;
        }
    }
}
