package dev.mailtls.agent;

import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;

/**
 * Runs once, on a thread of its own while the application starts, the code that its first SMTP
 * connection will need and that would otherwise load and run cold on the application's thread:
 * the mail classes' weaving, which the first mail class waits for (Byte Buddy, unless the agent jar
 * has them woven already: {@link PrewovenClasses}), then the JDK's TLS client. Only a
 * head start: a step that fails is logged at {@code FINE} and skipped, and the connection then
 * does (or fails, fail-closed, and reports) the same work itself. Of what is made here only the
 * mail classes woven ahead are used, and only for the very class file they were woven from
 * ({@link MailClassWeaving}); nothing of the TLS warm-up is. No DNS: an extra lookup costs more
 * processor time at start-up than it saves the first connection.
 */
final class StartupWarmUp implements Runnable {
    private final MailClassTransformer transformer;

    StartupWarmUp(MailClassTransformer transformer) {
        this.transformer = transformer;
    }

    @Override
    public void run() {
        weaving();
        tls();
    }

    /**
     * The mail classes of the application's class path, woven ahead (or taken from the agent jar,
     * without Byte Buddy, if it has them woven already), so that the first mail class loads quickly.
     */
    private void weaving() {
        try {
            transformer.warmUp(ClassLoader.getSystemClassLoader());
        } catch (Throwable failure) {
            skipped("weaving", failure);
        }
    }

    /**
     * The JDK's TLS client: a context that trusts nothing and has no key writes one ClientHello
     * into a buffer (no connection), which loads and initialises what every handshake needs.
     */
    private static void tls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[0], new TrustManager[0], null);
            SSLEngine engine = context.createSSLEngine("warm-up.invalid", 25);
            engine.setUseClientMode(true);
            engine.beginHandshake();
            engine.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(engine.getSession().getPacketBufferSize()));
            engine.closeOutbound();
        } catch (Throwable failure) {
            skipped("TLS", failure);
        }
    }

    private static void skipped(String step, Throwable failure) {
        // Looked up only here: this class is made in premain, before the application's main, and
        // java.util.logging need not start on the application's thread for it.
        Logger.getLogger("dev.mailtls.agent").log(Level.FINE, "mailtls: start-up warm-up of " + step + " skipped", failure);
    }
}
