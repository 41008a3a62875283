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
    /** Named by class, the JDK's own factory class stands for the JVM's default TLS socket factory. */
    private static final String JDK_DEFAULT_FACTORY = "javax.net.ssl.SSLSocketFactory";

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
     * Whether the application asked for TLS on connect through {@code prefix.socketFactory[.class]}.
     * A class is asked about its {@code getDefault()} only when it is no socket factory itself.
     */
    static boolean hasSslSocketFactory(Properties props, String prefix, SocketFactoryClasses.Named classes) {
        Object factory = props.get(prefix + ".socketFactory");
        if (factory instanceof SSLSocketFactory) {
            return true;
        }
        if (factory instanceof SocketFactory) {
            return false;
        }
        String property = prefix + ".socketFactory.class";
        String className = props.getProperty(property);
        if (className == null || className.isEmpty()) {
            return false;
        }
        try {
            Class<?> type = classes.load(className);
            return SSLSocketFactory.class.isAssignableFrom(type)
                    || classes.make(className, property) instanceof SSLSocketFactory;
        } catch (ClassNotFoundException | IOException | LinkageError | RuntimeException unknown) {
            // Cannot tell: treat it as TLS, so that the policy's factory, not an unknown one, would make the
            // handshake; applicationFactory then fails the connection as the library would.
            return true;
        }
    }

    /**
     * The application's own TLS socket factory for this connection, looked for where and in the
     * order the library looks: with {@code sslFirst} (STARTTLS, or TLS on connect because the
     * library was told to use SSL) {@code prefix.ssl.socketFactory}, then
     * {@code prefix.ssl.socketFactory.class}; then {@code prefix.socketFactory} and
     * {@code prefix.socketFactory.class}. The first that gives a TLS socket factory is it; a class
     * name gives the factory its {@code getDefault()} returns. {@code null} when there is none,
     * and for the JDK's own {@code javax.net.ssl.SSLSocketFactory}: it means the JVM's default
     * factory, as if none were named, whose client certificate the policy's context presents
     * already. Read before {@link #install} replaces them.
     *
     * @throws IOException when a named class cannot be loaded or its {@code getDefault()} fails:
     *     the library would fail the connection too
     */
    static SSLSocketFactory applicationFactory(Properties props, String prefix, boolean sslFirst,
            SocketFactoryClasses.Named classes) throws IOException {
        String[] places = sslFirst ? new String[] {prefix + ".ssl.socketFactory", prefix + ".socketFactory"}
                : new String[] {prefix + ".socketFactory"};
        for (String place : places) {
            Object factory = props.get(place);
            if (factory instanceof SSLSocketFactory) {
                return (SSLSocketFactory) factory;
            }
            if (factory instanceof SocketFactory) {
                continue;
            }
            String property = place + ".class";
            String className = props.getProperty(property);
            if (className == null || className.isEmpty() || className.equals(JDK_DEFAULT_FACTORY)) {
                continue;
            }
            SocketFactory named = classes.make(className, property);
            if (named instanceof SSLSocketFactory) {
                return (SSLSocketFactory) named;
            }
        }
        return null;
    }

    /**
     * Puts {@code factory} in every place the library looks for a TLS socket factory and removes
     * what would weaken or replace it. An application's own factory object is displaced; read it
     * first with {@link #applicationFactory} to keep its client certificate.
     */
    static void install(Properties copy, String prefix, SSLSocketFactory factory, Iterable<String> protocols,
            SocketFactoryClasses.Named classes) {
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
        if (hasSslSocketFactory(copy, prefix, classes)) {
            copy.put(prefix + ".socketFactory", factory);
            copy.remove(prefix + ".socketFactory.class");
        }
    }
}
