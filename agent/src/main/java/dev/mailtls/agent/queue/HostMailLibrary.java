package dev.mailtls.agent.queue;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The application's own mail library, seen through reflection from one of its SMTP transport
 * classes: the agent never links against javax.mail, jakarta.mail or Angus Mail, and the same
 * code serves every generation (javax.mail 1.4.7 to Angus Mail 2; only the package names
 * differ). It does what {@code SMTPTransport.sendMessage} does with a message and its envelope,
 * without a connection (to queue it), and re-sends stored bytes through the library (to deliver
 * it). Every method uses public API that all these generations share.
 */
final class HostMailLibrary {
    /** The header fields {@code SMTPTransport} leaves out of what it sends after DATA. */
    private static final String[] NOT_SENT = {"Bcc", "Content-Length"};

    private final Class<?> transportClass;
    private final String api;
    private final ClassLoader loader;

    private HostMailLibrary(Class<?> transportClass, String api) {
        this.transportClass = transportClass;
        this.api = api;
        this.loader = transportClass.getClassLoader();
    }

    /**
     * The library that {@code transportClass} (an {@code SMTPTransport} or a subclass) belongs to.
     *
     * @throws ClassNotFoundException if it does not extend a mail API's {@code Transport}
     */
    static HostMailLibrary of(Class<?> transportClass) throws ClassNotFoundException {
        for (Class<?> type = transportClass; type != null; type = type.getSuperclass()) {
            Class<?> parent = type.getSuperclass();
            if (type.getName().endsWith(".Transport") && parent != null && parent.getName().endsWith(".Service")) {
                return new HostMailLibrary(transportClass, type.getName().substring(0, type.getName().lastIndexOf('.')));
            }
        }
        throw new ClassNotFoundException(transportClass.getName() + " is not a mail Transport");
    }

    /** The class loader that holds the library. */
    ClassLoader loader() {
        return loader;
    }

    // ---- queueing: what SMTPTransport.sendMessage would have sent -----------------------------

    /**
     * Refuses what {@code SMTPTransport.sendMessage} refuses before it talks to the server, with
     * the same exception: a message that is not a {@code MimeMessage}, no recipients.
     */
    void checkSendable(Object message, Object addresses) throws Exception {
        if (!apiClass("internet.MimeMessage").isInstance(message)) {
            throw apiException("MessagingException", "SMTP can only send RFC822 messages");
        }
        if (!(addresses instanceof Object[]) || ((Object[]) addresses).length == 0) {
            throw apiException("SendFailedException", "No recipient addresses");
        }
    }

    /**
     * The MAIL FROM address as {@code SMTPTransport.mailFrom()} chooses it: an
     * {@code SMTPMessage}'s envelope sender, else {@code mail.<protocol>.from}, else the first
     * From address, else the session's local address. {@code ""} stands for the null sender {@code <>}.
     */
    String envelopeSender(Object session, String protocol, Object message) throws Exception {
        // Methods are taken from the library's public classes: the application's own subclasses may not be public.
        String from = null;
        Class<?> smtpMessage = implementationClass("SMTPMessage");
        if (smtpMessage.isInstance(message)) {
            from = (String) invoke(smtpMessage.getMethod("getEnvelopeFrom"), message);
        }
        if (from == null || from.isEmpty()) {
            from = (String) invoke(apiClass("Session").getMethod("getProperty", String.class), session,
                    "mail." + protocol + ".from");
        }
        if (from == null || from.isEmpty()) {
            Object[] senders = (Object[]) invoke(apiClass("Message").getMethod("getFrom"), message);
            Object sender = senders != null && senders.length > 0 ? senders[0]
                    : invoke(apiClass("internet.InternetAddress").getMethod("getLocalAddress", apiClass("Session")), null, session);
            if (sender == null) {
                throw apiException("MessagingException", "can't determine SMTP from address");
            }
            from = address(sender);
        }
        return from.startsWith("<") && from.endsWith(">") ? from.substring(1, from.length() - 1) : from;
    }

    /**
     * The RCPT TO addresses for {@code addresses} (an {@code Address[]}), group addresses expanded
     * as {@code SMTPTransport} does; anything but an {@code InternetAddress} is refused as there.
     */
    List<String> envelopeRecipients(Object addresses) throws Exception {
        Class<?> internetAddress = apiClass("internet.InternetAddress");
        List<String> recipients = new ArrayList<>();
        for (Object address : (Object[]) addresses) {
            if (!internetAddress.isInstance(address)) {
                throw apiException("MessagingException", address + " is not an InternetAddress");
            }
            if ((Boolean) invoke(internetAddress.getMethod("isGroup"), address)) {
                Object[] members = (Object[]) invoke(internetAddress.getMethod("getGroup", boolean.class), address, false);
                for (Object member : members == null ? new Object[0] : members) {
                    recipients.add(address(member));
                }
            } else {
                recipients.add(address(address));
            }
        }
        if (recipients.isEmpty()) {
            throw apiException("SendFailedException", "No recipient addresses");
        }
        return recipients;
    }

    /** Writes the message as {@code SMTPTransport} would after DATA: without Bcc and Content-Length. */
    void writeMessage(Object message, OutputStream out) throws Exception {
        invoke(apiClass("internet.MimeMessage").getMethod("writeTo", OutputStream.class, String[].class), message, out,
                NOT_SENT);
    }

    /** The message's Message-ID header, or {@code null}. */
    String messageId(Object message) throws Exception {
        return (String) invoke(apiClass("internet.MimeMessage").getMethod("getMessageID"), message);
    }

    // ---- delivery: re-sending stored bytes --------------------------------------------------

    /** A new {@code Session} with exactly these properties (no Authenticator: the password is given to connect). */
    Object session(Properties properties) throws Exception {
        return invoke(apiClass("Session").getMethod("getInstance", Properties.class), null, properties);
    }

    /**
     * The stored message, parsed by the library from its exact bytes (never saved again, so its
     * Message-ID and every header stay as they were), with its envelope sender.
     */
    Object message(Object session, InputStream body, String sender) throws Exception {
        Class<?> smtpMessage = implementationClass("SMTPMessage");
        Object message = construct(smtpMessage.getConstructor(apiClass("Session"), InputStream.class), session, body);
        invoke(smtpMessage.getMethod("setEnvelopeFrom", String.class), message, sender.isEmpty() ? "<>" : sender);
        return message;
    }

    /** An {@code Address[]} of these RCPT TO addresses, taken as they are (no parsing). */
    Object addresses(List<String> recipients) throws Exception {
        Class<?> internetAddress = apiClass("internet.InternetAddress");
        Object array = java.lang.reflect.Array.newInstance(internetAddress, recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            Object address = construct(internetAddress.getConstructor());
            invoke(internetAddress.getMethod("setAddress", String.class), address, recipients.get(i));
            java.lang.reflect.Array.set(array, i, address);
        }
        return array;
    }

    /**
     * Connects a new transport of this class in {@code session} to {@code host:port} (as
     * {@code user}), sends {@code message} to {@code addresses} and closes it: the application's
     * {@code connect()} then {@code sendMessage()}, under the policy like any of its own.
     */
    void send(Object session, String protocol, String host, int port, String user, String password, Object message,
            Object addresses) throws Exception {
        Class<?> urlName = apiClass("URLName");
        Object url = construct(urlName.getConstructor(String.class, String.class, int.class, String.class, String.class,
                String.class), protocol, null, -1, null, null, null);
        Object transport = construct(transportClass.getConstructor(apiClass("Session"), urlName), session, url);
        try {
            invoke(transportClass.getMethod("connect", String.class, int.class, String.class, String.class), transport,
                    host, port, user, password);
            invoke(transportClass.getMethod("sendMessage", apiClass("Message"), Class.forName("[L" + api + ".Address;",
                    false, loader)), transport, message, addresses);
        } finally {
            try {
                invoke(transportClass.getMethod("close"), transport);
            } catch (Exception closeFailed) {
                // The message is sent or it is not; a failed QUIT changes neither.
            }
        }
    }

    // ---- shared ----------------------------------------------------------------------------

    /** A new exception of the library's own type {@code simpleName} (in the API package), with {@code text}. */
    Exception apiException(String simpleName, String text) throws Exception {
        return (Exception) construct(apiClass(simpleName).getConstructor(String.class), text);
    }

    /** As {@link #apiException(String, String)}, with a cause. */
    Exception apiException(String simpleName, String text, Exception cause) throws Exception {
        return (Exception) construct(apiClass(simpleName).getConstructor(String.class, Exception.class), text, cause);
    }

    /** A class beside {@code SMTPTransport}: {@code SMTPMessage}, {@code SMTPSSLTransport}. */
    Class<?> implementationClass(String simpleName) throws ClassNotFoundException {
        return Class.forName(implementationPackage() + "." + simpleName, false, loader);
    }

    private String implementationPackage() {
        String name = transportClass.getName();
        for (Class<?> type = transportClass; type != null; type = type.getSuperclass()) {
            if (type.getSimpleName().equals("SMTPTransport")) {
                name = type.getName();
                break;
            }
        }
        return name.substring(0, name.lastIndexOf('.'));
    }

    private Class<?> apiClass(String relativeName) throws ClassNotFoundException {
        return Class.forName(api + "." + relativeName, false, loader);
    }

    private String address(Object internetAddress) throws Exception {
        return (String) invoke(apiClass("internet.InternetAddress").getMethod("getAddress"), internetAddress);
    }

    /** Calls the method; the library's own exception comes out as itself, not wrapped. */
    private static Object invoke(Method method, Object target, Object... arguments) throws Exception {
        try {
            return method.invoke(target, arguments);
        } catch (InvocationTargetException thrown) {
            throw unwrap(thrown);
        }
    }

    private static Object construct(Constructor<?> constructor, Object... arguments) throws Exception {
        try {
            return constructor.newInstance(arguments);
        } catch (InvocationTargetException thrown) {
            throw unwrap(thrown);
        }
    }

    private static Exception unwrap(InvocationTargetException thrown) {
        Throwable cause = thrown.getCause();
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return cause instanceof Exception ? (Exception) cause : thrown;
    }
}
