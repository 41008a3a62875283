package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPTransport;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.engine.PolicyEngine;
import dev.mailtls.tls.ClientTlsContext;
import dev.mailtls.tls.VerifyingTrustManager;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509KeyManager;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard with a TLS socket factory that the application names by class: its client key manager
 * goes into the policy's handshake, an unreadable one is replaced with a warning, and one that cannot
 * be made fails the connection as the policy's 4.7.5, as the mail library itself would fail it. On
 * a real Jakarta Mail transport object; no connection is made.
 */
class NamedFactoryClientKeysTest {
    private final SMTPTransport transport = new SMTPTransport(Session.getInstance(new Properties()), null);
    private final List<String> warnings = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            warnings.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private PolicySmtpGuard guard;
    private X509KeyManager applicationsKeys;

    @BeforeAll
    static void openJdkPackage() {
        ApplicationClientKeys.allowJdkAccess(ByteBuddyAgent.install());
    }

    @BeforeEach
    void guardAndApplicationFactory() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("mailtls.dns.servers", "127.0.0.1");
        settings.setProperty("mailtls.level", "encrypt");
        guard = new PolicySmtpGuard(PolicyEngine.create(ConfigLoader.withOverrides(settings).loadWithoutFile()));
        applicationsKeys = keyManager();
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {applicationsKeys}, null, null);
        FactoryClassFixtures.reset(context.getSocketFactory());
        PolicySmtpGuard.LOG.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        PolicySmtpGuard.LOG.removeHandler(capture);
    }

    @Test
    void startTlsWithTheKeyManagerOfTheFactoryTheClassGives() throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.smtp.ssl.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        Properties copy = guard.startTlsProperties(props, "mail.smtp", "mx.example", 25);

        SSLSocketFactory handshake = jdkFactoryBehind(copy.get("mail.smtp.ssl.socketFactory"));
        assertThat(ApplicationClientKeys.keyManagerOf(handshake)).isSameAs(applicationsKeys);
        assertPolicysTrustManager(handshake);
        assertThat(copy).doesNotContainKey("mail.smtp.ssl.socketFactory.class");
        assertThat(warnings).isEmpty();
    }

    @Test
    void sslOnConnectWithTheKeyManagerOfTheFactoryTheClassGives() throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());
        props.setProperty("mail.smtp.socketFactory.port", "465");
        guard.connectStarting(transport, null, "smtp", "mx.example", 465, null, null);

        Properties copy = guard.socketProperties(props, "mail.smtp", "mx.example", 465, false);

        SSLSocketFactory handshake = jdkFactoryBehind(copy.get("mail.smtp.socketFactory"));
        assertThat(ApplicationClientKeys.keyManagerOf(handshake)).isSameAs(applicationsKeys);
        assertPolicysTrustManager(handshake);
        assertThat(copy).doesNotContainKey("mail.smtp.socketFactory.class");
        assertThat(FactoryClassFixtures.getDefaultCalls).as("made once for the connection").hasValue(1);
    }

    @Test
    void applicationsOwnFactoryClassIsReplacedWithAWarning() throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.smtps.ssl.socketFactory.class", FactoryClassFixtures.WrapperClass.class.getName());
        guard.connectStarting(transport, null, "smtps", "mx.example", 465, null, null);

        Properties copy = guard.socketProperties(props, "mail.smtps", "mx.example", 465, true);

        assertPolicysTrustManager(jdkFactoryBehind(copy.get("mail.smtps.ssl.socketFactory")));
        assertThat(warnings).singleElement().asString().contains("mx.example")
                .contains(FactoryClassFixtures.WrapperClass.class.getName())
                .contains("its client certificate, if it has one, cannot be read");
    }

    @Test
    void factoryClassThatCannotBeMadeDefersTheConnectionAsThePolicys4_7_5() throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.smtp.ssl.socketFactory.class", "com.example.ClientCertificateFactory");
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        IOException setUp = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> guard.startTlsProperties(props, "mail.smtp", "mx.example", 25));
        // What SMTPTransport.startTLS makes of it.
        Throwable thrown = guard.connectFinished(transport, new MessagingException("Could not convert socket to TLS", setUp),
                null);

        assertThat(((SMTPSendFailedException) thrown).getReturnCode()).isEqualTo(454);
        assertThat(thrown.getMessage()).startsWith("454 4.7.5 ")
                .contains("the socket factory class com.example.ClientCertificateFactory that"
                        + " mail.smtp.ssl.socketFactory.class names cannot be made")
                .contains("MailTLS Guard fails the connection rather than make it without the application's factory"
                        + " and its client certificate, as the mail library would")
                .contains("correct mail.smtp.ssl.socketFactory.class or remove it");
    }

    @Test
    void eachConnectionAsksGetDefaultOnceAndTheNextSeesARotatedKey() throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());
        guard.connectStarting(transport, null, "smtp", "mx.example", 465, null, null);
        Properties first = guard.socketProperties(props, "mail.smtp", "mx.example", 465, false);
        guard.connectFinished(transport, new MessagingException("closed"), null);
        X509KeyManager rotated = keyManager();
        SSLContext next = SSLContext.getInstance("TLS");
        next.init(new javax.net.ssl.KeyManager[] {rotated}, null, null);
        FactoryClassFixtures.factory = next.getSocketFactory();

        guard.connectStarting(transport, null, "smtp", "mx.example", 465, null, null);
        Properties second = guard.socketProperties(props, "mail.smtp", "mx.example", 465, false);

        assertThat(ApplicationClientKeys.keyManagerOf(jdkFactoryBehind(first.get("mail.smtp.socketFactory"))))
                .isSameAs(applicationsKeys);
        assertThat(ApplicationClientKeys.keyManagerOf(jdkFactoryBehind(second.get("mail.smtp.socketFactory"))))
                .as("the rotated key, not the first connection's").isSameAs(rotated);
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(2);
    }

    @Test
    void anUnreadableFactoryClassIsWarnedAboutOncePerClass() throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.smtps.ssl.socketFactory.class", FactoryClassFixtures.WrapperClass.class.getName());

        for (int connection = 0; connection < 3; connection++) {
            guard.connectStarting(transport, null, "smtps", "mx.example", 465, null, null);
            guard.socketProperties(props, "mail.smtps", "mx.example", 465, true);
            guard.connectFinished(transport, new MessagingException("closed"), null);
        }

        assertThat(warnings).singleElement().asString().contains("its client certificate, if it has one, cannot be read")
                .contains("logged once per factory class");
        assertThat(FactoryClassFixtures.getDefaultCalls).as("still made for every connection").hasValue(3);
    }

    @Test
    void aPlainFactoryLeftInPlaceIsTheObjectThePolicyLookedAtHeldToPlainSockets() throws Exception {
        Properties props = new Properties();
        props.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.PlainFactoryClass.class.getName());
        guard.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        Properties copy = guard.socketProperties(props, "mail.smtp", "mx.example", 25, false);

        assertThat(copy).doesNotContainKey("mail.smtp.socketFactory.class");
        assertThat(copy.get("mail.smtp.socketFactory")).isInstanceOf(PlainSocketsOnly.class);
        assertThat(FactoryClassFixtures.getDefaultCalls).as("the library has no class left to ask").hasValue(1);
    }

    @Test
    void onConnectTheMessageSaysWhetherTheLibraryWouldHaveFallenBack() throws Exception {
        Properties fallingBack = new Properties();
        fallingBack.setProperty("mail.smtp.socketFactory.class", "com.example.ClientCertificateFactory");
        Properties notFallingBack = new Properties();
        notFallingBack.setProperty("mail.smtp.socketFactory.class", "com.example.ClientCertificateFactory");
        notFallingBack.put("mail.smtp.socketFactory.fallback", Boolean.FALSE);

        guard.connectStarting(transport, null, "smtp", "mx.example", 465, null, null);
        IOException byDefault = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> guard.socketProperties(fallingBack, "mail.smtp", "mx.example", 465, false));
        guard.connectFinished(transport, new MessagingException("Could not connect", byDefault), null);
        guard.connectStarting(transport, null, "smtp", "mx.example", 465, null, null);
        IOException turnedOff = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> guard.socketProperties(notFallingBack, "mail.smtp", "mx.example", 465, false));
        guard.connectFinished(transport, new MessagingException("Could not connect", turnedOff), null);

        assertThat(byDefault).hasMessageContaining("MailTLS Guard fails the connection rather than make it without the"
                + " application's factory and its client certificate (the mail library itself would fall back to a"
                + " connection without it, as mail.smtp.socketFactory.fallback is not false)");
        assertThat(turnedOff).hasMessageContaining("client certificate, as the mail library would:");
    }

    @Test
    void underAuditAFactoryClassThatCannotBeMadeIsReportedAsSuch() throws Exception {
        Properties settings = new Properties();
        // A DNS server that is not there: the DANE lookups fail at once and the requirement is refused.
        settings.setProperty("mailtls.dns.servers", "127.0.0.1:9");
        settings.setProperty("mailtls.level", "dane-only");
        settings.setProperty("mailtls.action", "audit");
        PolicySmtpGuard audit = new PolicySmtpGuard(PolicyEngine.create(ConfigLoader.withOverrides(settings).loadWithoutFile()));
        Properties props = new Properties();
        props.setProperty("mail.smtp.ssl.socketFactory.class", "com.example.ClientCertificateFactory");
        audit.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        IOException setUp = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> audit.startTlsProperties(props, "mail.smtp", "mx.example", 25));
        Throwable thrown = audit.connectFinished(transport, new MessagingException("Could not convert socket to TLS", setUp),
                null);

        assertThat(thrown.getMessage()).contains("com.example.ClientCertificateFactory that"
                + " mail.smtp.ssl.socketFactory.class names cannot be made").doesNotContain("lookup");
    }

    @Test
    void underLevelNoneTheApplicationsSettingsStayAndTheLibraryDecides() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("mailtls.dns.servers", "127.0.0.1");
        settings.setProperty("mailtls.level", "none");
        PolicySmtpGuard none = new PolicySmtpGuard(PolicyEngine.create(ConfigLoader.withOverrides(settings).loadWithoutFile()));
        Properties props = new Properties();
        props.setProperty("mail.smtp.ssl.socketFactory.class", FactoryClassFixtures.FailingFactoryClass.class.getName());
        none.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);

        Properties copy = none.startTlsProperties(props, "mail.smtp", "mx.example", 25);

        assertThat(copy.getProperty("mail.smtp.ssl.socketFactory.class"))
                .isEqualTo(FactoryClassFixtures.FailingFactoryClass.class.getName());
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(0);
    }

    /** A key manager of the JDK's (with an empty key store: which one is presented is what counts). */
    private static X509KeyManager keyManager() throws Exception {
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(empty, new char[0]);
        return (X509KeyManager) keys.getKeyManagers()[0];
    }

    /** The JDK's factory of the context behind the configuring factory that the guard installs. */
    private static SSLSocketFactory jdkFactoryBehind(Object installed) throws ReflectiveOperationException {
        assertThat(installed).isInstanceOf(SSLSocketFactory.class);
        for (java.lang.reflect.Field field : installed.getClass().getDeclaredFields()) {
            if (field.getType() == ClientTlsContext.class) {
                field.setAccessible(true);
                return ((ClientTlsContext) field.get(installed)).sslContext().getSocketFactory();
            }
        }
        throw new AssertionError("no ClientTlsContext behind " + installed);
    }

    /** The factory's handshakes are verified by the policy's trust manager, whatever the application's factory trusted. */
    private static void assertPolicysTrustManager(SSLSocketFactory handshake) throws Exception {
        // Reading a key manager opens sun.security.ssl to this module, as the agent does.
        assertThat(ApplicationClientKeys.keyManagerOf(handshake)).isNotNull();
        Object context = readField(handshake, "context");
        Object trust = readField(context, "trustManager");
        assertThat(trust).isInstanceOf(VerifyingTrustManager.class);
    }

    private static Object readField(Object object, String name) throws ReflectiveOperationException {
        for (Class<?> type = object.getClass(); type != null; type = type.getSuperclass()) {
            try {
                java.lang.reflect.Field field = type.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(object);
            } catch (NoSuchFieldException notHere) {
                // further up
            }
        }
        throw new NoSuchFieldException(name);
    }
}
