package dev.mailtls.agent.guard;

import dev.mailtls.tls.DelegatingSslSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factory classes as applications name them in {@code mail.smtp.ssl.socketFactory.class}:
 * public, with a public static {@code getDefault()} that the tests set up through static fields
 * and that counts its calls. Each test sets {@link #factory} and uses a fresh
 * {@link SocketFactoryClasses}, whose cache is its own. Everything is public: a test defines some
 * of these classes again in a class loader of its own, where package access ends.
 */
public final class FactoryClassFixtures {
    /** What the {@code getDefault()} of {@link KeyedFactoryClass} and {@link FactoryHolder} return. */
    public static volatile SSLSocketFactory factory;
    public static final AtomicInteger getDefaultCalls = new AtomicInteger();

    private FactoryClassFixtures() {
    }

    static void reset(SSLSocketFactory next) {
        factory = next;
        getDefaultCalls.set(0);
    }

    /** A TLS socket factory class whose {@code getDefault()} gives a factory of the JDK's provider (with a client key). */
    public static final class KeyedFactoryClass extends Wrapper {
        public KeyedFactoryClass() {
            super(null);
        }

        public static SocketFactory getDefault() {
            getDefaultCalls.incrementAndGet();
            return factory;
        }
    }

    /** No socket factory itself: only its {@code getDefault()} tells that it stands for TLS. */
    public static final class FactoryHolder {
        private FactoryHolder() {
        }

        public static SocketFactory getDefault() {
            getDefaultCalls.incrementAndGet();
            return factory;
        }
    }

    /** An application's own factory class, whose {@code getDefault()} gives an instance of itself around the JDK's. */
    public static final class WrapperClass extends Wrapper {
        public WrapperClass(SSLSocketFactory delegate) {
            super(delegate);
        }

        public static SocketFactory getDefault() {
            getDefaultCalls.incrementAndGet();
            return new WrapperClass(factory);
        }
    }

    /** A factory class whose {@code getDefault()} fails, as one reading a missing key store would. */
    public static final class FailingFactoryClass extends Wrapper {
        public FailingFactoryClass() {
            super(null);
        }

        public static SocketFactory getDefault() {
            getDefaultCalls.incrementAndGet();
            throw new IllegalStateException("the client key store is locked");
        }
    }

    /** A factory class whose {@code getDefault()} returns {@code null}: to the library, no factory at all. */
    public static final class NullFactoryClass extends Wrapper {
        public NullFactoryClass() {
            super(null);
        }

        public static SocketFactory getDefault() {
            getDefaultCalls.incrementAndGet();
            return null;
        }
    }

    /** A plain socket factory class, as an application names one to bind or tunnel its connections. */
    public static final class PlainFactoryClass {
        private PlainFactoryClass() {
        }

        public static SocketFactory getDefault() {
            getDefaultCalls.incrementAndGet();
            return SocketFactory.getDefault();
        }
    }

    /**
     * A plain {@code SocketFactory} class whose sockets are TLS sockets of {@link #factory}: to the
     * mail library, TLS made already, with whatever trust the application's factory has.
     */
    public static final class TlsInPlainClothes extends SocketFactory {
        public static SocketFactory getDefault() {
            getDefaultCalls.incrementAndGet();
            return new TlsInPlainClothes();
        }

        @Override
        public Socket createSocket() throws IOException {
            return factory.createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return factory.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return factory.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return factory.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return factory.createSocket(address, port, localAddress, localPort);
        }
    }

    /** An application's TLS socket factory around another one, which hands out the other's sockets as they are. */
    public static class Wrapper extends DelegatingSslSocketFactory {
        public Wrapper(SSLSocketFactory delegate) {
            super(delegate);
        }

        @Override
        protected Socket made(Socket socket) {
            return socket;
        }
    }
}
