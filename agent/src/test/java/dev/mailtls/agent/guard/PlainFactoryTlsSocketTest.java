package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.mail.smtp.SMTPSendFailedException;
import dev.mailtls.agent.bootstrap.Hooks;
import dev.mailtls.agent.instrumentation.SmtpTransportInstrumentation;
import dev.mailtls.agent.instrumentation.SocketFetcherInstrumentation;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.engine.PolicyEngine;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.matcher.ElementMatchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application's plain socket factory class ({@code mail.smtp.socketFactory.class}) whose sockets
 * are TLS sockets that trust anything, on a real Jakarta Mail 2.0 {@code SMTPTransport} woven with
 * the agent's advice, against an SMTP server on loopback that speaks TLS on connect and offers
 * AUTH. Unguarded, the library takes the socket as TLS made already, skips STARTTLS ("already
 * using SSL") and sends EHLO and AUTH over a handshake the policy never verified; with the guard
 * the connection fails with the policy's 4.7.5 before anything reaches the server.
 */
class PlainFactoryTlsSocketTest {
    @TempDir
    static Path keys;
    private static Instrumentation instrumentation;
    private static ResettableClassFileTransformer transformer;
    private static SSLContext serverContext;

    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private SSLServerSocket server;
    private Thread serving;

    @BeforeAll
    static void instrumentAndMakeTheServersKey() throws Exception {
        instrumentation = ByteBuddyAgent.install();
        transformer = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .type(ElementMatchers.namedOneOf(SmtpTransportInstrumentation.typeNames().toArray(new String[0])))
                .transform((builder, type, loader, module, domain) -> builder.visit(
                        SmtpTransportInstrumentation.advice().on(SmtpTransportInstrumentation.methods())))
                .type(ElementMatchers.namedOneOf(SocketFetcherInstrumentation.typeNames().toArray(new String[0])))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(SocketFetcherInstrumentation.startTlsAdvice().on(SocketFetcherInstrumentation.startTlsMethod()))
                        .visit(SocketFetcherInstrumentation.getSocketAdvice().on(SocketFetcherInstrumentation.getSocketMethod())))
                .installOn(instrumentation);
        serverContext = serverContext(keys);
    }

    private static void guard(String action) throws Exception {
        Properties settings = new Properties();
        settings.setProperty("mailtls.dns.servers", "127.0.0.1:9");
        settings.setProperty("mailtls.level", "encrypt");
        settings.setProperty("mailtls.action", action);
        Hooks.install(new PolicySmtpGuard(PolicyEngine.create(ConfigLoader.withOverrides(settings).loadWithoutFile())));
    }

    @AfterAll
    static void restore() {
        Hooks.install(null);
        transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }

    @BeforeEach
    void serverAndTrustAllFactory() throws Exception {
        server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress());
        serving = new Thread(this::serve, "tls-on-connect smtp");
        serving.setDaemon(true);
        serving.start();
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new TrustingAnything()}, null);
        FactoryClassFixtures.reset(trustAll.getSocketFactory());
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
        serving.join(5000);
        PolicySmtpGuard.LOG.removeHandler(capture);
    }

    private Properties legacyApplication() {
        Properties props = new Properties();
        props.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.TlsInPlainClothes.class.getName());
        props.setProperty("mail.smtp.auth", "true");
        props.setProperty("mail.smtp.connectiontimeout", "5000");
        props.setProperty("mail.smtp.timeout", "5000");
        return props;
    }

    @Test
    void aPlainFactoryHandingOutTlsSocketsIsRefusedBeforeEhloAndAuth() throws Exception {
        guard("defer");
        Transport transport = Session.getInstance(legacyApplication()).getTransport("smtp");

        MessagingException refused = org.junit.jupiter.api.Assertions.assertThrows(MessagingException.class,
                () -> transport.connect("127.0.0.1", server.getLocalPort(), "app", "s3cret-password"));

        assertThat(refused).isInstanceOf(SMTPSendFailedException.class);
        assertThat(((SMTPSendFailedException) refused).getReturnCode()).isEqualTo(454);
        assertThat(refused.getMessage()).startsWith("454 4.7.5 ")
                .contains("the socket factory " + FactoryClassFixtures.TlsInPlainClothes.class.getName()
                        + " that mail.smtp.socketFactory.class gives is no TLS socket factory but made a TLS socket");
        assertThat(received).as("SMTP commands the server received").noneMatch(line -> line.startsWith("AUTH"))
                .noneMatch(line -> line.startsWith("EHLO"));
        assertThat(connections).as("connections the server accepted").hasValue(0);
        assertThat(FactoryClassFixtures.getDefaultCalls).as("getDefault() once, for the guard and the library").hasValue(1);
    }

    @Test
    void underAuditItIsLetThroughAndSaidSo() throws Exception {
        guard("audit");
        PolicySmtpGuard.LOG.addHandler(capture);
        Transport transport = Session.getInstance(legacyApplication()).getTransport("smtp");

        transport.connect("127.0.0.1", server.getLocalPort(), "app", "s3cret-password");
        transport.close();

        assertThat(received).anyMatch(line -> line.startsWith("AUTH"));
        assertThat(logged).anyMatch(line -> line.contains("AUDIT: the TLS connection was not made by MailTLS Guard and"
                + " nothing in it was verified by the policy; sending anyway because action=audit"));
    }

    /** Greets over TLS, offers AUTH and accepts anything, recording every command line. */
    private void serve() {
        while (!server.isClosed()) {
            try (Socket client = server.accept()) {
                connections.incrementAndGet();
                client.setSoTimeout(5000);
                OutputStream out = client.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                reply(out, "220 mx.example ESMTP");
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    received.add(line);
                    if (line.startsWith("EHLO")) {
                        reply(out, "250-mx.example\r\n250 AUTH PLAIN LOGIN");
                    } else if (line.startsWith("QUIT")) {
                        reply(out, "221 bye");
                        break;
                    } else {
                        reply(out, "235 2.7.0 accepted");
                    }
                }
            } catch (IOException closedOrBroken) {
                // The test closed the server, or the client went away.
            }
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** A self-signed server key made by the JDK's keytool: the client trusts anything anyway. */
    private static SSLContext serverContext(Path directory) throws Exception {
        Path store = directory.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mx.example",
                "-validity", "2", "-keystore", store.toString(), "-storepass", "changeit", "-storetype", "PKCS12",
                "-noprompt").redirectErrorStream(true).start();
        try (InputStream output = keytool.getInputStream()) {
            String text = new String(output.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(keytool.waitFor()).as("keytool: " + text).isZero();
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    /** What legacy applications put into their own factories. */
    private static final class TrustingAnything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
