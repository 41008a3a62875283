package dev.mailtls.agent.guard;

import java.io.IOException;
import javax.net.ssl.SSLSocketFactory;

/** Makes the TLS socket factory whose trust decision enforces an attempt's policy. */
interface HandshakeFactory {
    /**
     * @param port the connected port, for the TLSA owner name {@code _port._tcp.host}
     * @throws IOException when no safe handshake can be set up (the connection then fails)
     */
    SSLSocketFactory socketFactory(ConnectionAttempt attempt, int port) throws IOException;
}
