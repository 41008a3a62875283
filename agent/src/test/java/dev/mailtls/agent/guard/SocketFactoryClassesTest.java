package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.mail.smtp.SMTPSSLTransport;
import com.sun.mail.smtp.SMTPTransport;
import com.sun.mail.util.SocketFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.GeneralSecurityException;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Making the factories that applications name by class, as Jakarta Mail's {@code SocketFetcher} makes them. */
class SocketFactoryClassesTest {
    private static final String KEYED = FactoryClassFixtures.KeyedFactoryClass.class.getName();

    private final SocketFactoryClasses classes = new SocketFactoryClasses();
    private final Thread thread = Thread.currentThread();
    private ClassLoader originalContext;
    private SSLSocketFactory jdkFactory;

    @BeforeEach
    void jdkFactory() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        jdkFactory = context.getSocketFactory();
        FactoryClassFixtures.reset(jdkFactory);
        originalContext = thread.getContextClassLoader();
    }

    @AfterEach
    void restoreContextLoader() {
        thread.setContextClassLoader(originalContext);
    }

    @Test
    void theFactoryIsWhatTheClasssGetDefaultReturns() throws IOException {
        SocketFactory made = classes.seenBy(SMTPTransport.class).make(KEYED, "mail.smtp.ssl.socketFactory.class");

        assertThat(made).isSameAs(jdkFactory);
    }

    @Test
    void getDefaultRunsOncePerClassAcrossConnections() throws IOException {
        classes.seenBy(SMTPTransport.class).make(KEYED, "mail.smtp.ssl.socketFactory.class");
        FactoryClassFixtures.factory = null;

        SocketFactory again = classes.seenBy(SMTPTransport.class).make(KEYED, "mail.smtp.socketFactory.class");

        assertThat(again).as("remembered, not made again").isSameAs(jdkFactory);
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(1);
    }

    @Test
    void aNullFromGetDefaultIsNoFactory() throws IOException {
        String name = FactoryClassFixtures.NullFactoryClass.class.getName();

        assertThat(classes.seenBy(SMTPTransport.class).make(name, "mail.smtp.ssl.socketFactory.class")).isNull();
        assertThat(classes.seenBy(SMTPTransport.class).make(name, "mail.smtp.ssl.socketFactory.class")).isNull();
        assertThat(FactoryClassFixtures.getDefaultCalls).as("a null is remembered too").hasValue(1);
    }

    @Test
    void aFailingGetDefaultFailsAsTheLibraryWouldAndIsTriedAgainNextTime() {
        String name = FactoryClassFixtures.FailingFactoryClass.class.getName();
        SocketFactoryClasses.Named named = classes.seenBy(SMTPTransport.class);

        assertThatThrownBy(() -> named.make(name, "mail.smtp.ssl.socketFactory.class"))
                .isInstanceOf(IOException.class)
                .hasMessage("the TLS socket factory class " + name + " that mail.smtp.ssl.socketFactory.class names cannot"
                        + " be made (java.lang.IllegalStateException: the client key store is locked); the mail library"
                        + " would fail this connection too: correct mail.smtp.ssl.socketFactory.class or remove it")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> named.make(name, "mail.smtp.ssl.socketFactory.class")).isInstanceOf(IOException.class);
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(2);
    }

    @Test
    void aClassNoLoaderKnowsFailsNamingItAndTheProperty() {
        assertThatThrownBy(() -> classes.seenBy(SMTPTransport.class).make("com.example.NoSuchFactory", "mail.smtps.socketFactory.class"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("com.example.NoSuchFactory that mail.smtps.socketFactory.class names cannot be made"
                        + " (java.lang.ClassNotFoundException: com.example.NoSuchFactory)")
                .hasCauseInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void getDefaultMustGiveASocketFactory() {
        // String has no getDefault(); Locale's gives a Locale.
        assertThatThrownBy(() -> classes.seenBy(null).make("java.util.Locale", "mail.smtp.socketFactory.class"))
                .isInstanceOf(IOException.class).hasMessageContaining("java.lang.ClassCastException: java.util.Locale"
                        + ".getDefault() returned a java.util.Locale, not a javax.net.SocketFactory");
        assertThatThrownBy(() -> classes.seenBy(null).make("java.lang.String", "mail.smtp.socketFactory.class"))
                .isInstanceOf(IOException.class).hasMessageContaining("java.lang.NoSuchMethodException");
    }

    @Test
    void theContextClassLoaderComesFirst() throws Exception {
        ClassLoader own = new ChildFirst(getClass().getClassLoader(), KEYED);
        thread.setContextClassLoader(own);

        Class<?> loaded = classes.seenBy(SMTPTransport.class).load(KEYED);

        assertThat(loaded.getClassLoader()).isSameAs(own);
    }

    @Test
    void theLibrarysClassLoaderIsAskedWhenTheContextLoaderDoesNotKnowTheClass() throws Exception {
        thread.setContextClassLoader(new URLClassLoader(new URL[0], null));

        Class<?> loaded = classes.seenBy(SMTPTransport.class).load(KEYED);

        assertThat(loaded).isSameAs(FactoryClassFixtures.KeyedFactoryClass.class);
    }

    @Test
    void theLibrarysClassLoaderIsTheOneOfItsSocketFetcher() {
        ClassLoader fetchers = SocketFetcher.class.getClassLoader();

        assertThat(SocketFactoryClasses.findLibraryLoader(SMTPTransport.class)).isSameAs(fetchers);
        assertThat(SocketFactoryClasses.findLibraryLoader(SMTPSSLTransport.class)).as("smtps").isSameAs(fetchers);
        assertThat(SocketFactoryClasses.findLibraryLoader(String.class)).as("no SMTP transport: its own loader").isNull();
        assertThat(SocketFactoryClasses.findLibraryLoader(null)).isSameAs(ClassLoader.getSystemClassLoader());
    }

    @Test
    void aRememberedFactoryDoesNotKeepItsClassLoaderAlive() throws Exception {
        // The factory is an instance of the class it was made from: a cache holding it strongly
        // under a weak key would still hold the class, and so its loader, through it.
        String name = FactoryClassFixtures.WrapperClass.class.getName();
        ClassLoader own = new ChildFirst(getClass().getClassLoader(), name);
        thread.setContextClassLoader(own);
        SocketFactory made = classes.seenBy(null).make(name, "mail.smtp.ssl.socketFactory.class");
        assertThat(made.getClass().getClassLoader()).isSameAs(own);
        WeakReference<ClassLoader> collectable = new WeakReference<>(own);
        thread.setContextClassLoader(originalContext);
        own = null;
        made = null;

        for (int i = 0; i < 50 && collectable.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }

        assertThat(collectable.get()).as("the class loader of a class whose factory is remembered").isNull();
    }

    /** Defines one class itself from the test classes' bytes, so that the same name is another class. */
    private static final class ChildFirst extends ClassLoader {
        private final String name;

        ChildFirst(ClassLoader parent, String name) {
            super(parent);
            this.name = name;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (!className.equals(name)) {
                return super.loadClass(className, resolve);
            }
            synchronized (getClassLoadingLock(className)) {
                Class<?> loaded = findLoadedClass(className);
                if (loaded != null) {
                    return loaded;
                }
                try (InputStream in = getParent().getResourceAsStream(className.replace('.', '/') + ".class")) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(className, bytes, 0, bytes.length);
                } catch (IOException unreadable) {
                    throw new ClassNotFoundException(className, unreadable);
                }
            }
        }
    }
}
