package dev.mailtls.it.queue;

import dev.mailtls.it.bed.BedCertificates;
import dev.mailtls.it.bed.MxEndpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * An SMTP server on {@link SwitchableMx#IP}:25 that offers STARTTLS with the bed's MX key and
 * certificate, so the policy's DANE check of the MX name passes, and then refuses every AUTH with
 * {@code 535 5.7.8}: what a wrong password meets at a real relay. The bed's Postfix offers no
 * AUTH (it has no SASL), so this stands in for that one reply; everything else a client may send
 * before it is answered as Postfix would. Threads of the test JVM.
 */
final class AuthRefusingMx implements AutoCloseable {
    private final ServerSocket server;
    private final SSLContext tls;
    private final AtomicInteger refusedAuths = new AtomicInteger();

    AuthRefusingMx(BedCertificates certificates) {
        try {
            this.tls = serverContext(certificates);
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(SwitchableMx.IP, MxEndpoint.SMTP_PORT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(this::accept, "auth-refusing-mx");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** How many AUTH exchanges were refused, each after STARTTLS. */
    int refusedAuths() {
        return refusedAuths.get();
    }

    private static SSLContext serverContext(BedCertificates certificates) throws IOException, GeneralSecurityException {
        PrivateKey key;
        try (Reader pem = Files.newBufferedReader(certificates.mxKeyFile(), StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(pem)) {
            Object read = parser.readObject();
            // PKCS#8 or, as OpenSSL writes it for Postfix, the algorithm's own format with the public key.
            key = read instanceof PEMKeyPair ? new JcaPEMKeyConverter().getKeyPair((PEMKeyPair) read).getPrivate()
                    : new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) read);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = "unused".toCharArray();
        store.setKeyEntry("mx", key, password,
                new Certificate[] {certificates.mxCertificate(), certificates.caCertificate()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread session = new Thread(() -> serve(client), "auth-refusing-mx-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket plain) {
        Socket socket = plain;
        try {
            BufferedReader in = reader(socket);
            OutputStream out = socket.getOutputStream();
            boolean secure = false;
            reply(out, "220 mx ESMTP test server that refuses AUTH");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String verb = line.trim().split("\\s+")[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO":
                        reply(out, secure ? "250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME" : "250-mx\r\n250-STARTTLS\r\n250 8BITMIME");
                        break;
                    case "STARTTLS":
                        reply(out, "220 2.0.0 Ready to start TLS");
                        SSLSocket upgraded = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
                        upgraded.setUseClientMode(false);
                        upgraded.startHandshake();
                        socket = upgraded;
                        in = reader(socket);
                        out = socket.getOutputStream();
                        secure = true;
                        break;
                    case "AUTH":
                        if (!secure) {
                            reply(out, "503 5.5.1 Error: authentication not enabled");
                            break;
                        }
                        refuseAuth(line, in, out);
                        break;
                    case "QUIT":
                        reply(out, "221 2.0.0 Bye");
                        return;
                    case "NOOP":
                    case "RSET":
                        reply(out, "250 2.0.0 Ok");
                        break;
                    default:
                        reply(out, "530 5.7.0 Authentication required");
                }
            }
        } catch (IOException gone) {
            // The client went away; nothing to record.
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** AUTH PLAIN (with or without an initial response) or LOGIN: the credentials are read, then refused. */
    private void refuseAuth(String line, BufferedReader in, OutputStream out) throws IOException {
        String[] words = line.trim().split("\\s+");
        String mechanism = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
        if (mechanism.equals("LOGIN")) {
            if (words.length < 3) {
                reply(out, "334 VXNlcm5hbWU6");
                in.readLine();
            }
            reply(out, "334 UGFzc3dvcmQ6");
            in.readLine();
        } else if (mechanism.equals("PLAIN")) {
            if (words.length < 3) {
                reply(out, "334 ");
                in.readLine();
            }
        } else {
            reply(out, "504 5.5.4 Unrecognized authentication type");
            return;
        }
        refusedAuths.incrementAndGet();
        reply(out, "535 5.7.8 Error: authentication failed: authentication failure");
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
