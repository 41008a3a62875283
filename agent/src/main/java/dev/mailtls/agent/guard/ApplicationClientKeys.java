package dev.mailtls.agent.guard;

import dev.mailtls.tls.ClientTlsContext;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.logging.Level;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509KeyManager;

/**
 * Keeps the client certificate of a TLS socket factory that the application put into its mail
 * session (Spring Boot's {@code spring.mail.ssl.bundle} puts one into
 * {@code mail.smtp.ssl.socketFactory}), or named by class ({@code mail.smtp.ssl.socketFactory.class},
 * {@code mail.smtp.socketFactory.class}: the factory its {@code getDefault()} returns, see
 * {@link SocketFactoryClasses}), while the policy's trust manager replaces the factory's trust
 * decision. No public API hands out an {@code SSLContext}'s key managers, so the key
 * manager is read from the JDK's own classes: a factory of the JDK's TLS provider
 * ({@code sun.security.ssl.SSLSocketFactoryImpl}) holds its {@code SSLContextImpl}, which holds
 * the {@code X509ExtendedKeyManager} it was initialised with. From Java 9 on that package is
 * closed to other modules; {@link #allowJdkAccess} lets the agent open it to MailTLS Guard's own
 * module alone, through {@link Instrumentation#redefineModule} (Java 8 has no such barrier).
 *
 * <p>A factory of any other kind (an application's own wrapper; another TLS provider, such as
 * Bouncy Castle's JSSE, whose factories hold their key managers in package-private classes only)
 * cannot be opened up: it is replaced by the policy's factory as before, a warning (once per
 * factory class) says that its client certificate, if it has one, is not presented, and the JVM's
 * default client certificate ({@code javax.net.ssl.keyStore}) is presented instead, if there is
 * one. The connection is not failed for it: the application's factory works, only MailTLS Guard
 * cannot see inside it.
 *
 * <p>A TLS context with the application's key manager is built once per policy context and
 * application TLS context and then reused, so sessions resume as they do without a client
 * certificate. Both are held weakly: a context the engine made for one connection only
 * ({@code audit} under an authenticating level) is never reused here either, and an application's
 * TLS context (its key manager, its web application's class loader) is let go of by the next
 * connection under the same policy context after the application let go of it. Thread-safe.
 */
public final class ApplicationClientKeys {
    private static final String JDK_FACTORY = "sun.security.ssl.SSLSocketFactoryImpl";
    private static final String JDK_PACKAGE = "sun.security.ssl";

    private static volatile Instrumentation instrumentation;
    /** Whether the JDK's TLS package may be read; {@code null} until first needed. */
    private static Boolean jdkReadable;

    /**
     * Per policy context, per TLS context of the application (the JDK's {@code SSLContextImpl}
     * behind its factories: one context hands out a new factory on every call), the context made
     * with the application's key manager. Both keys are weak, and no value refers to its key: the
     * application's TLS context, and with it its web application's class loader, is not kept
     * alive once the application lets go of it.
     */
    private final Map<ClientTlsContext, Map<Object, ClientTlsContext>> contexts =
            new WeakHashMap<ClientTlsContext, Map<Object, ClientTlsContext>>();
    /** The factory classes whose client certificate could not be read, already warned about once. */
    private final Set<Class<?>> warned = Collections.newSetFromMap(new WeakHashMap<Class<?>, Boolean>());

    /**
     * Hands over the agent's {@link Instrumentation}, with which the JDK's TLS package is opened
     * to MailTLS Guard the first time an application's socket factory needs reading (and only then).
     */
    public static void allowJdkAccess(Instrumentation agentInstrumentation) {
        instrumentation = agentInstrumentation;
    }

    /**
     * The context that makes {@code policy}'s trust decision and presents the client certificate of
     * {@code applications}; {@code policy} itself when that factory's key manager cannot be read
     * (with a warning, once per factory class: legacy applications name trust-all factory classes
     * on every connection).
     *
     * @param host the destination, for the warning
     * @throws GeneralSecurityException when the JVM cannot make the TLS context
     */
    ClientTlsContext keep(ClientTlsContext policy, SSLSocketFactory applications, String host)
            throws GeneralSecurityException {
        Object jdkContext = jdkContextOf(applications);
        X509KeyManager keys = jdkContext == null ? null : keyManagerIn(jdkContext);
        if (keys == null) {
            boolean first;
            synchronized (warned) {
                first = warned.add(applications.getClass());
            }
            PolicySmtpGuard.LOG.log(first ? Level.WARNING : Level.FINE, "mailtls: " + host + ": the application's own"
                    + " TLS socket factory (" + applications.getClass().getName() + ") is replaced by the policy's; its"
                    + " client certificate, if it has one, cannot be read (only factories of the JDK's own TLS provider"
                    + " can) and is not presented" + (first ? "; this is logged once per factory class" : ""));
            return policy;
        }
        synchronized (contexts) {
            Map<Object, ClientTlsContext> withKeys = contexts.get(policy);
            if (withKeys == null) {
                withKeys = new WeakHashMap<Object, ClientTlsContext>();
                contexts.put(policy, withKeys);
            }
            ClientTlsContext context = withKeys.get(jdkContext);
            if (context == null) {
                context = ClientTlsContext.builder(policy.requirement()).protocols(policy.protocols())
                        .serverName(policy.serverName()).keyManagers(keys).build();
                withKeys.put(jdkContext, context);
            }
            return context;
        }
    }

    /**
     * The key manager {@code factory} presents client certificates with (one that presents none,
     * when its context was made without key managers), or {@code null} when it cannot be read.
     */
    static X509KeyManager keyManagerOf(SSLSocketFactory factory) {
        Object context = jdkContextOf(factory);
        return context == null ? null : keyManagerIn(context);
    }

    /** The JDK's {@code SSLContextImpl} behind {@code factory}, or {@code null} when it cannot be read. */
    private static Object jdkContextOf(SSLSocketFactory factory) {
        if (!JDK_FACTORY.equals(factory.getClass().getName()) || !jdkReadable()) {
            return null;
        }
        try {
            return readField(factory, "context");
        } catch (ReflectiveOperationException | RuntimeException unreadable) {
            // A JDK whose internals differ: the factory is replaced as any other would be.
            PolicySmtpGuard.LOG.log(Level.FINE, "mailtls: cannot read the TLS context of " + factory, unreadable);
            return null;
        }
    }

    private static X509KeyManager keyManagerIn(Object jdkContext) {
        try {
            Object keys = readField(jdkContext, "keyManager");
            return keys instanceof X509KeyManager ? (X509KeyManager) keys : null;
        } catch (ReflectiveOperationException | RuntimeException unreadable) {
            PolicySmtpGuard.LOG.log(Level.FINE, "mailtls: cannot read the key manager of " + jdkContext, unreadable);
            return null;
        }
    }

    private static Object readField(Object object, String name) throws ReflectiveOperationException {
        for (Class<?> type = object.getClass(); type != null; type = type.getSuperclass()) {
            try {
                Field field = type.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(object);
            } catch (NoSuchFieldException notHere) {
                // declared further up (SSLContextImpl's subclasses inherit keyManager)
            }
        }
        throw new NoSuchFieldException(object.getClass().getName() + "." + name);
    }

    /**
     * Whether this class may read {@code sun.security.ssl}'s fields: always on Java 8; on Java 9+
     * when the package is open to this class's module already ({@code --add-opens}) or the agent's
     * {@link Instrumentation} opens it now. Decided once there is an answer (without the
     * Instrumentation yet, it is asked again next time). Reflection only: the agent is compiled for
     * Java 8, which has no modules.
     */
    private static synchronized boolean jdkReadable() {
        if (jdkReadable == null) {
            jdkReadable = openJdkPackage();
        }
        return jdkReadable != null && jdkReadable;
    }

    /** {@code true} or {@code false}, or {@code null} when only the Instrumentation could tell and there is none yet. */
    private static Boolean openJdkPackage() {
        Method getModule;
        try {
            getModule = Class.class.getMethod("getModule");
        } catch (NoSuchMethodException java8) {
            return true;
        }
        try {
            Object base = getModule.invoke(SSLSocketFactory.class);
            Object ours = getModule.invoke(ApplicationClientKeys.class);
            Class<?> moduleType = Class.forName("java.lang.Module");
            if ((Boolean) moduleType.getMethod("isOpen", String.class, moduleType).invoke(base, JDK_PACKAGE, ours)) {
                return true;
            }
            Instrumentation agent = instrumentation;
            if (agent == null) {
                return null;
            }
            Map<String, Set<Object>> opens = Collections.singletonMap(JDK_PACKAGE, Collections.singleton(ours));
            Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class,
                    Map.class).invoke(agent, base, Collections.emptySet(), Collections.emptyMap(), opens,
                    Collections.emptySet(), Collections.emptyMap());
            return true;
        } catch (ReflectiveOperationException | RuntimeException refused) {
            PolicySmtpGuard.LOG.log(Level.WARNING, "mailtls: cannot open " + JDK_PACKAGE + " to read the client key"
                    + " managers of applications' TLS socket factories; their client certificates are not presented",
                    refused);
            return false;
        }
    }
}
