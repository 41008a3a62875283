package dev.mailtls.demo;

import java.io.ByteArrayOutputStream;

/**
 * What a {@link DemoSmtpServer} saw of one client connection: every byte the client sent before
 * TLS started (what anybody on the path could read), and whether a message was accepted (DATA
 * completed). Written by the server's thread, read by the demo's.
 */
final class SmtpSession {
    private final ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
    private boolean delivered;
    private boolean ended;

    synchronized void recordPlaintext(byte[] bytes) {
        plaintext.write(bytes, 0, bytes.length);
    }

    synchronized void messageAccepted() {
        delivered = true;
    }

    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** Waits up to {@code millis} for the server to finish with the connection; whether it has. */
    synchronized boolean awaitEnd(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!ended && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return ended;
    }

    /** The client's bytes before TLS (all of them if TLS never started). */
    synchronized byte[] plaintext() {
        return plaintext.toByteArray();
    }

    synchronized boolean delivered() {
        return delivered;
    }
}
