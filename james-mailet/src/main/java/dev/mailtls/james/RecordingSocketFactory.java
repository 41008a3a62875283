package dev.mailtls.james;

import dev.mailtls.tls.DelegatingSslSocketFactory;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The policy engine's socket factory for one connection attempt, remembering the TLS socket it
 * made: the mail library does not expose its socket, but the log line needs the session (protocol,
 * cipher, verification outcome) and the defence against a plaintext session needs to know whether
 * TLS happened at all. One instance per attempt, so no state is shared between threads.
 */
final class RecordingSocketFactory extends DelegatingSslSocketFactory {
    private volatile SSLSocket socket;

    RecordingSocketFactory(SSLSocketFactory delegate) {
        super(delegate);
    }

    /** The TLS socket of this attempt, or {@code null} when none was made (no STARTTLS). */
    SSLSocket socket() {
        return socket;
    }

    @Override
    protected Socket made(Socket made) {
        if (made instanceof SSLSocket) {
            socket = (SSLSocket) made;
        }
        return made;
    }
}
