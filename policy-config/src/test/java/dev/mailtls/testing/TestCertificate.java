package dev.mailtls.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate and its private key, made with Bouncy Castle for tests: CAs, intermediates and
 * server certificates with chosen names, validity and key type. Tests build what they need in
 * the test itself instead of loading fixture files:
 *
 * <pre>{@code
 * TestCertificate root = TestCertificate.builder().commonName("Test Root").certificateAuthority(1).build();
 * TestCertificate leaf = TestCertificate.builder().dnsNames("mx.example.com").expired().signedBy(root).build();
 * }</pre>
 *
 * Defaults: an EC P-256 key (fast to generate), valid from one hour ago for 30 days, a server
 * certificate (not a CA) with no SAN and no CN, self-signed. Made only through the JDK provider,
 * so tests need not register Bouncy Castle.
 */
public final class TestCertificate {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final KeyPair keyPair;

    private TestCertificate(X509Certificate certificate, KeyPair keyPair) {
        this.certificate = certificate;
        this.keyPair = keyPair;
    }

    public static Builder builder() {
        return new Builder();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /** This certificate in PEM. */
    public String pem() {
        return pem(List.of(certificate));
    }

    /** Certificates in PEM, one block after the other, in the given order (a chain: server first). */
    public static String pem(List<X509Certificate> certificates) {
        StringBuilder text = new StringBuilder();
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate certificate : certificates) {
            try {
                text.append("-----BEGIN CERTIFICATE-----\n").append(encoder.encodeToString(certificate.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return text.toString();
    }

    /** Writes {@code certificates} as a PEM file and returns {@code file}. */
    public static Path writePem(Path file, List<X509Certificate> certificates) throws IOException {
        Files.writeString(file, pem(certificates), StandardCharsets.US_ASCII);
        return file;
    }

    /**
     * A key store holding this certificate's private key under {@code alias}, with
     * {@code chain} (this certificate first) as its certificate chain: what a TLS server or a
     * client with a client certificate loads.
     */
    public KeyStore keyStore(String alias, char[] password, List<X509Certificate> chain) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException("an empty key store cannot fail to load", e);
        }
        store.setKeyEntry(alias, keyPair.getPrivate(), password, chain.toArray(new Certificate[0]));
        return store;
    }

    @Override
    public String toString() {
        return certificate.getSubjectX500Principal().getName() + " (issuer " + certificate.getIssuerX500Principal().getName() + ")";
    }

    /** Describes one certificate; {@link #build()} generates the key (unless given) and signs. */
    public static final class Builder {
        private String commonName;
        private final List<String> dnsNames = new ArrayList<>();
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = notBefore.plus(Duration.ofDays(30));
        private int maxPathLength = -1;
        private String keyAlgorithm = "EC";
        private int rsaBits = 2048;
        private KeyPair keyPair;
        private TestCertificate issuer;
        private final List<KeyPurposeId> extendedKeyUsages = new ArrayList<>();

        private Builder() {
        }

        /** The subject's CN, e.g. {@code mx.example.com} or {@code Test Root CA}. */
        public Builder commonName(String commonName) {
            this.commonName = commonName;
            return this;
        }

        /** Subject-alternative-name DNS entries, wildcards included (e.g. {@code *.example.com}). */
        public Builder dnsNames(String... names) {
            dnsNames.addAll(List.of(names));
            return this;
        }

        public Builder validity(Instant notBefore, Instant notAfter) {
            this.notBefore = notBefore;
            this.notAfter = notAfter;
            return this;
        }

        /** Valid from 30 days ago until yesterday. */
        public Builder expired() {
            Instant now = Instant.now();
            return validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        }

        /** Valid from tomorrow for 30 days. */
        public Builder notYetValid() {
            Instant now = Instant.now();
            return validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(31)));
        }

        /** A CA certificate (basic constraints CA, key usage certificate signing) allowing {@code maxPathLength} CAs below it. */
        public Builder certificateAuthority(int maxPathLength) {
            this.maxPathLength = maxPathLength;
            return this;
        }

        /** An RSA key of {@code bits} instead of EC P-256. */
        public Builder rsa(int bits) {
            this.keyAlgorithm = "RSA";
            this.rsaBits = bits;
            return this;
        }

        /** An EC P-256 key (the default). */
        public Builder ec() {
            this.keyAlgorithm = "EC";
            return this;
        }

        /** Reuses a key, e.g. to re-issue a certificate for the same key (a TLSA 3 1 1 record still matches). */
        public Builder keyPair(KeyPair keyPair) {
            this.keyPair = keyPair;
            return this;
        }

        /** Signed by {@code issuer} instead of self-signed. */
        public Builder signedBy(TestCertificate issuer) {
            this.issuer = issuer;
            return this;
        }

        /** Adds an extended key usage, e.g. {@code KeyPurposeId.id_kp_clientAuth}; none by default (any use). */
        public Builder extendedKeyUsage(KeyPurposeId purpose) {
            extendedKeyUsages.add(purpose);
            return this;
        }

        public TestCertificate build() {
            try {
                KeyPair keys = keyPair != null ? keyPair : generateKeyPair();
                X500Name subject = name();
                X500Name issuerName = issuer == null ? subject : X500Name.getInstance(
                        issuer.certificate().getSubjectX500Principal().getEncoded());
                PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey();
                X509v3CertificateBuilder certificate = new JcaX509v3CertificateBuilder(issuerName,
                        new BigInteger(64, RANDOM).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter), subject,
                        keys.getPublic());
                JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
                certificate.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
                if (issuer != null) {
                    certificate.addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(issuer.certificate()));
                }
                if (maxPathLength >= 0) {
                    certificate.addExtension(Extension.basicConstraints, true, new BasicConstraints(maxPathLength));
                    certificate.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                } else {
                    certificate.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    certificate.addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                }
                if (!dnsNames.isEmpty()) {
                    GeneralName[] names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
                    certificate.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                }
                if (!extendedKeyUsages.isEmpty()) {
                    certificate.addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(extendedKeyUsages.toArray(new KeyPurposeId[0])));
                }
                String signatureAlgorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
                X509Certificate signed = new JcaX509CertificateConverter()
                        .getCertificate(certificate.build(new JcaContentSignerBuilder(signatureAlgorithm).build(signingKey)));
                return new TestCertificate(signed, keys);
            } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
                throw new IllegalStateException("cannot make test certificate " + commonName + " " + dnsNames, e);
            }
        }

        private X500Name name() {
            X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "MailTLS Guard tests");
            if (commonName != null) {
                name.addRDN(BCStyle.CN, commonName);
            }
            return name.build();
        }

        private KeyPair generateKeyPair() throws GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
            if (keyAlgorithm.equals("RSA")) {
                generator.initialize(rsaBits, RANDOM);
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            }
            return generator.generateKeyPair();
        }
    }
}
