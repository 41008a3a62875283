package dev.mailtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.testing.TestCertificate;
import dev.mailtls.testing.TestPki;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {
    private static final TestPki PKI = TestPki.forServer("mx.example.com");
    private static final X509Certificate OTHER_ROOT = TestCertificate.builder().commonName("Other Root").certificateAuthority(1)
            .build().certificate();

    @TempDir
    Path directory;

    private Path keyStore(String type, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        store.load(null, null);
        store.setCertificateEntry("other", OTHER_ROOT);
        store.setCertificateEntry("test-root", PKI.root().certificate());
        Path file = directory.resolve("trust." + type.toLowerCase());
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }

    @Test
    void pemBundleWithCommentsBetweenCertificatesVerifiesChain() throws Exception {
        Path bundle = directory.resolve("ca-bundle.pem");
        Files.writeString(bundle, "# Other Root\n" + TestCertificate.pem(List.of(OTHER_ROOT)) + "\nsubject=CN=Test Root CA\n"
                + TestCertificate.pem(List.of(PKI.root().certificate())));

        TrustStore store = TrustStore.fromSettings(new TlsSettings(List.of("TLSv1.3"), bundle.toString()));

        assertThat(store.certificates()).containsExactly(OTHER_ROOT, PKI.root().certificate());
        store.validate(PKI.chainWithoutRoot(), new Date());
    }

    @Test
    void pkcs12KeyStoreWithPasswordVerifiesChain() throws Exception {
        Path file = keyStore("PKCS12", "changeit".toCharArray());

        TrustStore store = TrustStore.load(file, "changeit".toCharArray());

        assertThat(store.certificates()).contains(PKI.root().certificate());
        assertThat(store.source()).isEqualTo(file.toString());
        store.validate(PKI.fullChain(), new Date());
    }

    @Test
    void pkcs12KeyStoreWithEncryptedCertificatesNeedsPassword() throws Exception {
        Path file = keyStore("PKCS12", "changeit".toCharArray());

        assertThatThrownBy(() -> TrustStore.load(file, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("needs its password");
    }

    @Test
    void jksKeyStoreLoadsWithoutPassword() throws Exception {
        Path file = keyStore("JKS", "changeit".toCharArray());

        TrustStore store = TrustStore.load(file, null);

        assertThat(store.certificates()).containsExactlyInAnyOrder(OTHER_ROOT, PKI.root().certificate());
    }

    @Test
    void fileThatIsNoTrustStoreIsReportedWithItsName() throws Exception {
        Path file = Files.writeString(directory.resolve("notes.txt"), "not a trust store");

        assertThatThrownBy(() -> TrustStore.load(file, null))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("trust store " + file + " is neither a PEM bundle nor a readable PKCS12 or JKS key store");
    }

    @Test
    void missingSettingsPathMeansJdkDefaultTrustStore() throws Exception {
        TrustStore store = TrustStore.fromSettings(new TlsSettings(List.of("TLSv1.3"), null));

        assertThat(store.source()).isEqualTo("the JDK default trust store");
        assertThat(store.certificates()).isNotEmpty();
        assertThatThrownBy(() -> store.validate(PKI.chainWithoutRoot(), new Date()))
                .hasMessageContaining("does not lead to a CA of the JDK default trust store");
    }

    @Test
    void chainMissingItsIntermediateIsNotTrusted() {
        TrustStore store = TrustStore.of(List.of(PKI.root().certificate()), "test");

        assertThatThrownBy(() -> store.validate(List.of(PKI.leaf().certificate()), new Date()))
                .hasMessageContaining("depth 0 O=MailTLS Guard tests issued by CN=Test Intermediate CA")
                .hasMessageContaining("does not send its intermediate certificates");
    }
}
