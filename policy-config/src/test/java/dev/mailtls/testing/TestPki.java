package dev.mailtls.testing;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A three-level PKI as public CAs run it: a self-signed root, an intermediate CA and a server
 * certificate. {@link #forServer(String...)} covers the usual case; {@link #builder()} lets a test
 * change one level (an expired root, an RSA leaf, a leaf without SAN) and keep the defaults for
 * the others.
 */
public final class TestPki {
    private final TestCertificate root;
    private final TestCertificate intermediate;
    private final TestCertificate leaf;

    private TestPki(TestCertificate root, TestCertificate intermediate, TestCertificate leaf) {
        this.root = root;
        this.intermediate = intermediate;
        this.leaf = leaf;
    }

    /** Root "Test Root CA", intermediate "Test Intermediate CA", and a current leaf whose SAN holds {@code dnsNames}. */
    public static TestPki forServer(String... dnsNames) {
        return builder().leaf(leaf -> leaf.dnsNames(dnsNames)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public TestCertificate root() {
        return root;
    }

    public TestCertificate intermediate() {
        return intermediate;
    }

    public TestCertificate leaf() {
        return leaf;
    }

    /** What a server sending its root sends: leaf, intermediate, root. */
    public List<X509Certificate> fullChain() {
        return List.of(leaf.certificate(), intermediate.certificate(), root.certificate());
    }

    /** What most servers send: leaf and intermediate, without the root. */
    public List<X509Certificate> chainWithoutRoot() {
        return List.of(leaf.certificate(), intermediate.certificate());
    }

    /** Customises the levels; each customiser receives a builder preset with the default names, CA flags and issuer. */
    public static final class Builder {
        private UnaryOperator<TestCertificate.Builder> root = UnaryOperator.identity();
        private UnaryOperator<TestCertificate.Builder> intermediate = UnaryOperator.identity();
        private UnaryOperator<TestCertificate.Builder> leaf = UnaryOperator.identity();

        private Builder() {
        }

        public Builder root(UnaryOperator<TestCertificate.Builder> customizer) {
            this.root = customizer;
            return this;
        }

        public Builder intermediate(UnaryOperator<TestCertificate.Builder> customizer) {
            this.intermediate = customizer;
            return this;
        }

        public Builder leaf(UnaryOperator<TestCertificate.Builder> customizer) {
            this.leaf = customizer;
            return this;
        }

        public TestPki build() {
            TestCertificate rootCertificate = root.apply(TestCertificate.builder().commonName("Test Root CA").certificateAuthority(1))
                    .build();
            TestCertificate intermediateCertificate = intermediate.apply(TestCertificate.builder()
                    .commonName("Test Intermediate CA").certificateAuthority(0).signedBy(rootCertificate)).build();
            TestCertificate leafCertificate = leaf.apply(TestCertificate.builder().signedBy(intermediateCertificate)).build();
            return new TestPki(rootCertificate, intermediateCertificate, leafCertificate);
        }
    }
}
