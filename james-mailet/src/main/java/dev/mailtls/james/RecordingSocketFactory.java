package dev.mailtls.james;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The policy engine's socket factory for one connection attempt, remembering the TLS socket it
 * made: the mail library does not expose its socket, but the log line needs the session (protocol,
 * cipher, verification outcome) and the defence against a plaintext session needs to know whether
 * TLS happened at all. One instance per attempt, so no state is shared between threads.
 */
final class RecordingSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private volatile SSLSocket socket;

    RecordingSocketFactory(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    /** The TLS socket of this attempt, or {@code null} when none was made (no STARTTLS). */
    SSLSocket socket() {
        return socket;
    }

    private Socket record(Socket made) {
        if (made instanceof SSLSocket) {
            socket = (SSLSocket) made;
        }
        return made;
    }

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
        return record(delegate.createSocket(plain, host, port, autoClose));
    }

    @Override
    public Socket createSocket() throws IOException {
        return record(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return record(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        return record(delegate.createSocket(host, port, localAddress, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return record(delegate.createSocket(address, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return record(delegate.createSocket(address, port, localAddress, localPort));
    }
}
