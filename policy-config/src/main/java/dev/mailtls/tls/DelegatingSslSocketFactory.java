package dev.mailtls.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TLS socket factory that leaves the making of every socket to another and hands each socket it
 * made to {@link #made} before returning it: for STARTTLS layering
 * ({@link #createSocket(Socket, String, int, boolean)}) as for implicit TLS, connected or not. For
 * a factory that must see or set up every socket (the policy's own, which configures them; the
 * James mailet's, which remembers the one of its connection) without writing out the six ways to
 * make one each time.
 */
public abstract class DelegatingSslSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    protected DelegatingSslSocketFactory(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    /**
     * The socket to hand out for {@code socket}, which the delegate just made.
     *
     * @throws IOException to refuse it; the implementation closes it first
     */
    protected abstract Socket made(Socket socket) throws IOException;

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket plain, String host, int port, boolean autoClose) throws IOException {
        return made(delegate.createSocket(plain, host, port, autoClose));
    }

    @Override
    public Socket createSocket() throws IOException {
        return made(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return made(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        return made(delegate.createSocket(host, port, localAddress, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return made(delegate.createSocket(address, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return made(delegate.createSocket(address, port, localAddress, localPort));
    }
}
