package dev.mailtls.agent.guard;

import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * The per-call copy of a mail Session's properties that {@code SocketFetcher} gets instead of the
 * original, with MailTLS Guard's socket factory in place of whatever the application configured
 * ({@code ssl.trust=*}, its own factories, {@code checkserveridentity=false}): the policy wins over
 * the application's mail settings. The Session itself is never changed; it may be shared.
 */
final class TlsProperties {
    private TlsProperties() {
    }

    /**
     * A flat copy: values from {@code props}' defaults included (Commons Email passes
     * {@code new Properties(System.getProperties())}), object values kept (Spring Boot puts
     * factory objects in), and {@code prefix.socketFactory.fallback=false}: without it a refused
     * TLS connection is retried silently with the JVM's default factory, a second connection
     * the policy never sees.
     */
    static Properties copy(Properties props, String prefix) {
        Properties copy = new Properties();
        for (String name : props.stringPropertyNames()) {
            copy.put(name, props.getProperty(name));
        }
        for (Map.Entry<Object, Object> entry : props.entrySet()) {
            copy.put(entry.getKey(), entry.getValue());
        }
        copy.put(prefix + ".socketFactory.fallback", "false");
        return copy;
    }

    /**
     * The socket factory {@code SocketFetcher.getSocket} connects with, found where and in the order
     * it looks (the same in javax.mail 1.4.7 to Angus Mail 2.0): with {@code useSsl}
     * {@code prefix.ssl.socketFactory}, then {@code prefix.ssl.socketFactory.class}; then
     * {@code prefix.socketFactory} and {@code prefix.socketFactory.class}. The first place that
     * gives any factory is it, TLS or not: an object that is a {@link SocketFactory}, or what a named
     * class's {@code getDefault()} returns ({@code null} means none: look further). {@code null}
     * when there is none (the library makes a plain socket).
     *
     * <p>A factory found by class is left in {@code copy} as the object itself, and the class
     * name is removed, so that the library connects with exactly the factory that the policy
     * looked at and does not ask {@code getDefault()} again.
     *
     * @param libraryFallback see {@link SocketFactoryClasses#make}
     * @throws IOException when a named class cannot be made
     */
    static SocketFactory pinConnectFactory(Properties copy, String prefix, boolean useSsl,
            SocketFactoryClasses classes, String libraryFallback) throws IOException {
        SocketFactory found = null;
        if (useSsl) {
            found = pinned(copy, prefix + ".ssl.socketFactory", classes, libraryFallback);
        }
        return found != null ? found : pinned(copy, prefix + ".socketFactory", classes, libraryFallback);
    }

    private static SocketFactory pinned(Properties copy, String place, SocketFactoryClasses classes,
            String libraryFallback) throws IOException {
        Object object = copy.get(place);
        if (object instanceof SocketFactory) {
            return (SocketFactory) object;
        }
        String property = place + ".class";
        String className = copy.getProperty(property);
        if (className == null || className.isEmpty()) {
            return null;
        }
        SocketFactory made = classes.make(className, property, libraryFallback);
        copy.remove(property);
        if (made != null) {
            copy.put(place, made);
        }
        return made;
    }

    /**
     * The application's own TLS socket factory for a STARTTLS handshake, found as
     * {@code SocketFetcher.startTLS} finds it (the same in javax.mail 1.4.7 to Angus Mail 2.0):
     * {@code prefix.ssl.socketFactory}, else the factory {@code prefix.ssl.socketFactory.class}
     * gives; if that is no TLS factory, {@code prefix.socketFactory}, else (only when nothing was
     * found so far) {@code prefix.socketFactory.class}'s. {@code null} when that is no TLS factory
     * either: the library would use {@code prefix.ssl.trust} or the JVM's default factory, whose
     * client certificate the policy's context presents already. The JDK's own
     * {@code javax.net.ssl.SSLSocketFactory} named by class gives the JVM's default factory, as
     * for the library. Read before {@link #install} replaces them.
     *
     * @throws IOException when a named class cannot be made: the library would fail the handshake too
     */
    static SSLSocketFactory startTlsFactory(Properties props, String prefix, SocketFactoryClasses classes)
            throws IOException {
        SocketFactory found = factoryAt(props, prefix + ".ssl.socketFactory", classes);
        if (found instanceof SSLSocketFactory) {
            return (SSLSocketFactory) found;
        }
        Object object = props.get(prefix + ".socketFactory");
        if (object instanceof SocketFactory) {
            found = (SocketFactory) object;
        } else if (found == null) {
            found = fromClass(props, prefix + ".socketFactory.class", classes);
        }
        return found instanceof SSLSocketFactory ? (SSLSocketFactory) found : null;
    }

    private static SocketFactory factoryAt(Properties props, String place, SocketFactoryClasses classes)
            throws IOException {
        Object object = props.get(place);
        return object instanceof SocketFactory ? (SocketFactory) object : fromClass(props, place + ".class", classes);
    }

    private static SocketFactory fromClass(Properties props, String property, SocketFactoryClasses classes)
            throws IOException {
        String className = props.getProperty(property);
        return className == null || className.isEmpty() ? null : classes.make(className, property, null);
    }

    /**
     * Puts {@code factory} where the library looks for a TLS socket factory first and removes what
     * would weaken or replace it; with {@code onConnect} (the application's own TLS factory in
     * {@code prefix.socketFactory[.class]} makes TLS start on connect) there too. An application's
     * own factory object is displaced; read it first ({@link #startTlsFactory},
     * {@link #pinConnectFactory}) to keep its client certificate.
     */
    static void install(Properties copy, String prefix, SSLSocketFactory factory, Iterable<String> protocols,
            boolean onConnect) {
        copy.put(prefix + ".ssl.socketFactory", factory);
        copy.remove(prefix + ".ssl.socketFactory.class");
        copy.remove(prefix + ".ssl.trust");
        copy.remove(prefix + ".ssl.ciphersuites");
        // The policy's trust manager owns the name check: DANE-EE must not be name-checked at all.
        copy.put(prefix + ".ssl.checkserveridentity", "false");
        StringBuilder enabled = new StringBuilder();
        for (String protocol : protocols) {
            enabled.append(enabled.length() == 0 ? "" : " ").append(protocol);
        }
        // Also overrides JavaMail 1.4.7's default of TLSv1 only.
        copy.put(prefix + ".ssl.protocols", enabled.toString());
        if (onConnect) {
            copy.put(prefix + ".socketFactory", factory);
            copy.remove(prefix + ".socketFactory.class");
        }
    }
}
