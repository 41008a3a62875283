package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.mail.smtp.SMTPSSLTransport;
import com.sun.mail.smtp.SMTPTransport;
import com.sun.mail.util.SocketFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.GeneralSecurityException;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Making the factories that applications name by class, as Jakarta Mail's {@code SocketFetcher}
 * makes them, for one connection at a time.
 */
class SocketFactoryClassesTest {
    private static final String KEYED = FactoryClassFixtures.KeyedFactoryClass.class.getName();

    private final SocketFactoryClasses classes = new SocketFactoryClasses(SMTPTransport.class);
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
        SocketFactory made = classes.make(KEYED, "mail.smtp.ssl.socketFactory.class", null);

        assertThat(made).isSameAs(jdkFactory);
    }

    @Test
    void getDefaultRunsOncePerClassInAConnectionAndAgainInTheNext() throws IOException {
        classes.make(KEYED, "mail.smtp.ssl.socketFactory.class", null);
        SSLSocketFactory rotated = (SSLSocketFactory) SSLSocketFactory.getDefault();
        FactoryClassFixtures.factory = rotated;

        SocketFactory sameConnection = classes.make(KEYED, "mail.smtp.socketFactory.class", null);
        SocketFactory nextConnection = new SocketFactoryClasses(SMTPTransport.class)
                .make(KEYED, "mail.smtp.ssl.socketFactory.class", null);

        assertThat(sameConnection).as("remembered for the connection").isSameAs(jdkFactory);
        assertThat(nextConnection).as("a rotated key is seen by the next connection").isSameAs(rotated);
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(2);
    }

    @Test
    void aNullFromGetDefaultIsNoFactory() throws IOException {
        String name = FactoryClassFixtures.NullFactoryClass.class.getName();

        assertThat(classes.make(name, "mail.smtp.ssl.socketFactory.class", null)).isNull();
        assertThat(classes.make(name, "mail.smtp.ssl.socketFactory.class", null)).isNull();
        assertThat(FactoryClassFixtures.getDefaultCalls).as("a null is remembered too").hasValue(1);
    }

    @Test
    void aFailingGetDefaultFailsTheConnectionAndIsTriedAgainNextTime() {
        String name = FactoryClassFixtures.FailingFactoryClass.class.getName();

        assertThatThrownBy(() -> classes.make(name, "mail.smtp.ssl.socketFactory.class", null))
                .isInstanceOf(IOException.class)
                .hasMessage("the socket factory class " + name + " that mail.smtp.ssl.socketFactory.class names cannot"
                        + " be made (java.lang.IllegalStateException: the client key store is locked); MailTLS Guard"
                        + " fails the connection rather than make it without the application's factory and its client"
                        + " certificate, as the mail library would: correct mail.smtp.ssl.socketFactory.class or remove it")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> classes.make(name, "mail.smtp.ssl.socketFactory.class", null))
                .isInstanceOf(IOException.class);
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(2);
    }

    @Test
    void whereTheLibraryWouldFallBackTheMessageSaysSo() {
        String name = FactoryClassFixtures.FailingFactoryClass.class.getName();

        assertThatThrownBy(() -> classes.make(name, "mail.smtps.socketFactory.class", "mail.smtps.socketFactory.fallback"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("MailTLS Guard fails the connection rather than make it without the application's"
                        + " factory and its client certificate (the mail library itself would fall back to a connection"
                        + " without it, as mail.smtps.socketFactory.fallback is not false): correct"
                        + " mail.smtps.socketFactory.class or remove it");
    }

    @Test
    void aClassNoLoaderKnowsFailsNamingItAndTheProperty() {
        assertThatThrownBy(() -> classes.make("com.example.NoSuchFactory", "mail.smtps.socketFactory.class", null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("com.example.NoSuchFactory that mail.smtps.socketFactory.class names cannot be made"
                        + " (java.lang.ClassNotFoundException: com.example.NoSuchFactory)")
                .hasCauseInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void getDefaultMustGiveASocketFactory() {
        // String has no getDefault(); Locale's gives a Locale.
        assertThatThrownBy(() -> new SocketFactoryClasses(null).make("java.util.Locale", "mail.smtp.socketFactory.class", null))
                .isInstanceOf(IOException.class).hasMessageContaining("java.lang.ClassCastException: java.util.Locale"
                        + ".getDefault() returned a java.util.Locale, not a javax.net.SocketFactory");
        assertThatThrownBy(() -> new SocketFactoryClasses(null).make("java.lang.String", "mail.smtp.socketFactory.class", null))
                .isInstanceOf(IOException.class).hasMessageContaining("java.lang.NoSuchMethodException");
    }

    @Test
    void theContextClassLoaderComesFirst() throws Exception {
        ClassLoader own = new ChildFirst(getClass().getClassLoader(), KEYED);
        thread.setContextClassLoader(own);

        Class<?> loaded = classes.load(KEYED);

        assertThat(loaded.getClassLoader()).isSameAs(own);
    }

    @Test
    void theLibrarysClassLoaderIsAskedWhenTheContextLoaderDoesNotKnowTheClass() throws Exception {
        thread.setContextClassLoader(new URLClassLoader(new URL[0], null));

        Class<?> loaded = classes.load(KEYED);

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
