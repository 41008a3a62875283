package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.tls.ClientTlsContext;
import dev.mailtls.tls.TrustStore;
import dev.mailtls.tls.VerificationRequirement;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reading the key manager out of an application's TLS socket factory, with the JDK's TLS package
 * opened through an {@code Instrumentation} as the agent does it, and the policy context that
 * presents it. The key managers here present no certificate: what is checked is which key
 * manager a context holds (the bed tests show Postfix receiving the certificate).
 */
class ApplicationClientKeysTest {
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
    private ClientTlsContext policy;

    @BeforeAll
    static void openJdkPackage() {
        ApplicationClientKeys.allowJdkAccess(ByteBuddyAgent.install());
    }

    @BeforeEach
    void policyContext() throws GeneralSecurityException {
        policy = ClientTlsContext.builder(VerificationRequirement.anyCertificate(TrustStore.jdkDefault()))
                .protocols(List.of("TLSv1.3")).serverName("mx.example.com").build();
        PolicySmtpGuard.LOG.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        PolicySmtpGuard.LOG.removeHandler(capture);
    }

    private static SSLSocketFactory jdkFactory(KeyManager... keys) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, null, null);
        return context.getSocketFactory();
    }

    @Test
    void keyManagerOfAJdkFactoryIsTheOneItsContextWasMadeWith() throws GeneralSecurityException {
        NamedKeyManager applications = new NamedKeyManager("application");

        assertThat(ApplicationClientKeys.keyManagerOf(jdkFactory(applications))).isSameAs(applications);
    }

    @Test
    void aJdkFactoryWithoutKeyManagersPresentsNoCertificate() throws GeneralSecurityException {
        X509KeyManager none = ApplicationClientKeys.keyManagerOf(jdkFactory());

        assertThat(none).isNotNull();
        assertThat(none.chooseClientAlias(new String[] {"RSA", "EC"}, null, null)).isNull();
    }

    @Test
    void aFactoryOfAnotherKindCannotBeRead() throws GeneralSecurityException {
        assertThat(ApplicationClientKeys.keyManagerOf(new FactoryClassFixtures.Wrapper(jdkFactory(new NamedKeyManager("hidden")))))
                .isNull();
    }

    @Test
    void keptContextMakesThePolicysTrustDecisionWithTheApplicationsKeyManager() throws GeneralSecurityException {
        NamedKeyManager applications = new NamedKeyManager("application");

        ClientTlsContext kept = new ApplicationClientKeys().keep(policy, jdkFactory(applications), "mx.example.com");

        assertThat(kept).isNotSameAs(policy);
        assertThat(kept.requirement()).isSameAs(policy.requirement());
        assertThat(kept.protocols()).isEqualTo(policy.protocols());
        assertThat(kept.serverName()).isEqualTo("mx.example.com");
        assertThat(ApplicationClientKeys.keyManagerOf(kept.sslContext().getSocketFactory())).isSameAs(applications);
        assertThat(warnings).isEmpty();
    }

    @Test
    void oneKeptContextPerPolicyContextAndApplicationContextSoSessionsResume() throws GeneralSecurityException {
        ApplicationClientKeys keys = new ApplicationClientKeys();
        NamedKeyManager first = new NamedKeyManager("first");
        SSLContext applications = SSLContext.getInstance("TLS");
        applications.init(new KeyManager[] {first}, null, null);

        ClientTlsContext kept = keys.keep(policy, applications.getSocketFactory(), "mx.example.com");

        assertThat(keys.keep(policy, applications.getSocketFactory(), "mx.example.com"))
                .as("another factory of the same context").isSameAs(kept);
        assertThat(keys.keep(policy, jdkFactory(new NamedKeyManager("second")), "mx.example.com")).isNotSameAs(kept);
    }

    @Test
    void unreadableFactoryLeavesThePolicyContextAndSaysSoOncePerClass() throws GeneralSecurityException {
        ApplicationClientKeys keys = new ApplicationClientKeys();

        ClientTlsContext kept = keys.keep(policy, new FactoryClassFixtures.Wrapper(jdkFactory()), "mx.example.com");
        keys.keep(policy, new FactoryClassFixtures.Wrapper(jdkFactory()), "mx2.example.com");

        assertThat(kept).isSameAs(policy);
        assertThat(warnings).singleElement().asString()
                .contains("mx.example.com")
                .contains(FactoryClassFixtures.Wrapper.class.getName())
                .contains("its client certificate, if it has one, cannot be read")
                .contains("is not presented")
                .endsWith("this is logged once per factory class");
    }

    @Test
    void theApplicationsContextAndKeyManagerAreNotKeptAliveHere() throws Exception {
        // Whether the JVM collects on request is not this test's business: without it, nothing can be shown.
        assumeFalse(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+DisableExplicitGC"),
                "System.gc() is disabled in this JVM");
        ApplicationClientKeys keys = new ApplicationClientKeys();
        NamedKeyManager applicationsKeys = new NamedKeyManager("web application");
        SSLContext applications = SSLContext.getInstance("TLS");
        applications.init(new KeyManager[] {applicationsKeys}, null, null);
        ClientTlsContext kept = keys.keep(policy, applications.getSocketFactory(), "mx.example.com");
        assertThat(ApplicationClientKeys.keyManagerOf(kept.sslContext().getSocketFactory())).isSameAs(applicationsKeys);
        WeakReference<Object> keyManager = new WeakReference<>(applicationsKeys);
        applicationsKeys = null;
        applications = null;
        kept = null;

        SSLSocketFactory anotherApplications = jdkFactory(new NamedKeyManager("another web application"));
        for (int i = 0; i < 50 && keyManager.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
            // The next connection under the same policy context: the weak map lets go of collected keys' values then.
            keys.keep(policy, anotherApplications, "mx.example.com");
        }

        assertThat(keyManager.get()).as("the key manager of a context the application let go of").isNull();
    }

    /** A key manager that presents nothing and is told apart by its name. */
    private static final class NamedKeyManager extends X509ExtendedKeyManager {
        private final String name;

        NamedKeyManager(String name) {
            this.name = name;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return null;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
