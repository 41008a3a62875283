package dev.mailtls.agent.guard;

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

    /** Whether the application asked for TLS on connect through {@code prefix.socketFactory[.class]}. */
    static boolean hasSslSocketFactory(Properties props, String prefix) {
        Object factory = props.get(prefix + ".socketFactory");
        if (factory instanceof SSLSocketFactory) {
            return true;
        }
        if (factory instanceof SocketFactory) {
            return false;
        }
        String className = props.getProperty(prefix + ".socketFactory.class");
        if (className == null) {
            return false;
        }
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            return SSLSocketFactory.class.isAssignableFrom(Class.forName(className, false, loader));
        } catch (ClassNotFoundException | LinkageError | RuntimeException unknown) {
            // Cannot tell: treat it as TLS, so the policy's factory, not an unknown one, makes the handshake.
            return true;
        }
    }

    /**
     * The TLS socket factory object the application put into the session for the library to use:
     * {@code prefix.ssl.socketFactory}, else an SSL factory in {@code prefix.socketFactory} (the
     * order in which the library looks); {@code null} when there is none (a class name is no
     * object to read a client certificate from). Read before {@link #install} replaces it.
     */
    static SSLSocketFactory applicationFactory(Properties props, String prefix) {
        for (String key : new String[] {prefix + ".ssl.socketFactory", prefix + ".socketFactory"}) {
            Object factory = props.get(key);
            if (factory instanceof SSLSocketFactory) {
                return (SSLSocketFactory) factory;
            }
        }
        return null;
    }

    /**
     * Puts {@code factory} in every place the library looks for a TLS socket factory and removes
     * what would weaken or replace it. An application's own factory object is displaced; read it
     * first with {@link #applicationFactory} to keep its client certificate.
     */
    static void install(Properties copy, String prefix, SSLSocketFactory factory, Iterable<String> protocols) {
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
        if (hasSslSocketFactory(copy, prefix)) {
            copy.put(prefix + ".socketFactory", factory);
            copy.remove(prefix + ".socketFactory.class");
        }
    }
}
