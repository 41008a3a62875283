package dev.mailtls.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The CA certificates trusted for PKIX verification (the {@code verify} and {@code secure} levels,
 * and the Trusted/Untrusted distinction at {@code may} and {@code encrypt}). Immutable and
 * thread-safe. DANE never uses it: a DANE-TA record names its own trust anchor.
 *
 * <p>Load one from {@link TlsSettings#trustStorePath()} with {@link #fromSettings}: a PEM bundle
 * ({@code /etc/ssl/certs/ca-certificates.crt}), a PKCS12 or JKS key store, or, for {@code null},
 * the JDK's default trust store (the {@code cacerts} of the running JVM, or whatever
 * {@code javax.net.ssl.trustStore} points to).
 */
public final class TrustStore {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    private final Set<TrustAnchor> anchors;
    private final Set<X509Certificate> certificates;
    private final String source;

    private TrustStore(Collection<X509Certificate> certificates, String source) {
        Set<TrustAnchor> anchors = new LinkedHashSet<TrustAnchor>();
        for (X509Certificate certificate : certificates) {
            anchors.add(new TrustAnchor(certificate, null));
        }
        this.anchors = Collections.unmodifiableSet(anchors);
        this.certificates = Collections.unmodifiableSet(new LinkedHashSet<X509Certificate>(certificates));
        this.source = source;
    }

    /**
     * Exactly these CA certificates.
     *
     * @throws IllegalArgumentException when there are none (nothing could ever verify)
     */
    public static TrustStore of(Collection<X509Certificate> certificates, String source) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("a trust store needs at least one CA certificate; " + source + " has none");
        }
        return new TrustStore(certificates, source);
    }

    /**
     * The JDK's default trust store: what {@code TrustManagerFactory.init((KeyStore) null)} trusts.
     * Reads {@code cacerts} on every call; load it once and share the result.
     */
    public static TrustStore jdkDefault() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager) {
                List<X509Certificate> certificates = new ArrayList<X509Certificate>();
                Collections.addAll(certificates, ((X509TrustManager) manager).getAcceptedIssuers());
                return of(certificates, "the JDK default trust store");
            }
        }
        throw new GeneralSecurityException("the JDK default TrustManagerFactory has no X509TrustManager");
    }

    /** The trust store {@code settings} name, or the JDK default when they name none. */
    public static TrustStore fromSettings(TlsSettings settings) throws IOException, GeneralSecurityException {
        if (settings.trustStore() != null) {
            return settings.trustStore();
        }
        return settings.trustStorePath() == null ? jdkDefault() : load(Paths.get(settings.trustStorePath()), null);
    }

    /**
     * Reads a PEM bundle or a PKCS12/JKS key store; every certificate in it is trusted.
     *
     * @param password the key store password, or {@code null}; needed only for PKCS12 files whose
     *        certificates are encrypted (as {@code keytool} writes them), and ignored for PEM
     * @throws IOException naming the file and what is wrong with it
     */
    public static TrustStore load(Path file, char[] password) throws IOException {
        byte[] content = Files.readAllBytes(file);
        List<X509Certificate> certificates = new ArrayList<X509Certificate>();
        if (new String(content, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            try {
                for (Certificate certificate : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(content))) {
                    certificates.add((X509Certificate) certificate);
                }
            } catch (CertificateException e) {
                throw new IOException("trust store " + file + ": not a valid PEM certificate bundle: " + e.getMessage(), e);
            }
        } else {
            certificates.addAll(keyStoreCertificates(file, content, password));
        }
        if (certificates.isEmpty()) {
            throw new IOException("trust store " + file + " contains no certificate readable"
                    + (password == null ? " without a password; a PKCS12 file whose certificates are encrypted needs its password" : ""));
        }
        return new TrustStore(certificates, file.toString());
    }

    private static List<X509Certificate> keyStoreCertificates(Path file, byte[] content, char[] password) throws IOException {
        List<String> failures = new ArrayList<String>();
        for (String type : new String[] {"PKCS12", "JKS"}) {
            try {
                KeyStore store = KeyStore.getInstance(type);
                store.load(new ByteArrayInputStream(content), password);
                List<X509Certificate> certificates = new ArrayList<X509Certificate>();
                for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements();) {
                    // Like the JDK's own trust managers: trusted-certificate entries and the certificates of key entries.
                    Certificate certificate = store.getCertificate(aliases.nextElement());
                    if (certificate instanceof X509Certificate) {
                        certificates.add((X509Certificate) certificate);
                    }
                }
                return certificates;
            } catch (IOException | GeneralSecurityException e) {
                failures.add(type + ": " + e.getMessage());
            }
        }
        throw new IOException("trust store " + file + " is neither a PEM bundle nor a readable PKCS12 or JKS key store ("
                + String.join("; ", failures) + ")");
    }

    /** Where the certificates came from: a file name or "the JDK default trust store". */
    public String source() {
        return source;
    }

    /** The trusted CA certificates. */
    public Set<X509Certificate> certificates() {
        return certificates;
    }

    /**
     * Checks that {@code chain} (the server's certificate first, the rest in any order) leads to
     * one of these CAs, that every certificate on the path is valid at {@code now}, and that the
     * server certificate may be used for TLS servers. Host names are not checked here.
     *
     * @throws CertificateException saying which certificate failed and why
     */
    public void validate(List<X509Certificate> chain, Date now) throws CertificateException {
        if (chain.isEmpty()) {
            throw new CertificateException("the server sent no certificate");
        }
        X509Certificate server = chain.get(0);
        checkServerAuth(server);
        if (certificates.contains(server)) {
            // The server's own certificate is trusted directly (a pinned self-signed certificate).
            checkValidity(server, 0, now);
            return;
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(server);
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
            parameters.setRevocationEnabled(false);
            parameters.setDate(now);
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
            CertPathBuilder.getInstance("PKIX").build(parameters);
        } catch (CertPathBuilderException e) {
            // The builder's own message ("unable to find valid certification path") says nothing useful; diagnose.
            for (int depth = 0; depth < chain.size(); depth++) {
                checkValidity(chain.get(depth), depth, now);
            }
            throw new CertificateException("the chain does not lead to a CA of " + source + " (" + anchors.size()
                    + (anchors.size() == 1 ? " certificate" : " certificates") + "): " + describeChain(chain)
                    + ". Either the server's CA is not trusted here, or the server does not send its intermediate certificates.", e);
        } catch (GeneralSecurityException e) {
            throw new CertificateException("this JVM cannot build certificate paths: " + e, e);
        }
    }

    private static void checkServerAuth(X509Certificate server) throws CertificateException {
        List<String> purposes;
        try {
            purposes = server.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new CertificateException("the server certificate's extended key usage cannot be parsed: " + e.getMessage(), e);
        }
        if (purposes != null && !purposes.contains(SERVER_AUTH) && !purposes.contains(ANY_EXTENDED_KEY_USAGE)) {
            throw new CertificateException("the server certificate (" + server.getSubjectX500Principal().getName()
                    + ") is not for TLS servers: its extended key usage " + purposes + " lacks serverAuth (" + SERVER_AUTH + ")");
        }
    }

    private static void checkValidity(X509Certificate certificate, int depth, Date now) throws CertificateException {
        try {
            certificate.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw new CertificateException("the certificate at depth " + depth + " (" + certificate.getSubjectX500Principal().getName()
                    + ") expired on " + certificate.getNotAfter().toInstant(), e);
        } catch (CertificateNotYetValidException e) {
            throw new CertificateException("the certificate at depth " + depth + " (" + certificate.getSubjectX500Principal().getName()
                    + ") is not valid before " + certificate.getNotBefore().toInstant(), e);
        }
    }

    private static String describeChain(List<X509Certificate> chain) {
        StringBuilder text = new StringBuilder();
        for (int depth = 0; depth < chain.size(); depth++) {
            X509Certificate certificate = chain.get(depth);
            text.append(depth == 0 ? "" : "; ").append("depth ").append(depth).append(' ')
                    .append(certificate.getSubjectX500Principal().getName()).append(" issued by ")
                    .append(certificate.getIssuerX500Principal().getName());
        }
        return text.toString();
    }

    /** For example {@code TrustStore[/etc/ssl/certs/ca-certificates.crt, 146 certificates]}. */
    @Override
    public String toString() {
        return "TrustStore[" + source + ", " + certificates.size() + " certificates]";
    }
}
