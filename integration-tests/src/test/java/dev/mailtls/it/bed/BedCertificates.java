package dev.mailtls.it.bed;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
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
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The test bed's certificates, made with Bouncy Castle on every bring-up: a test CA (RSA-2048),
 * one MX certificate (RSA-2048) that every Postfix listener presents, an unrelated EC key
 * whose digest makes the {@code dane-mismatch.test} TLSA record, and a client CA (EC P-256) that
 * the listener {@link MxEndpoint#POSTFIX_CLIENT_CERT} verifies client certificates against;
 * {@link #issueClientCertificate} makes those.
 *
 * <p>The MX certificate carries one SAN DNS name per MX host of the test domains (no wildcard),
 * so a name check passes for every {@code mx.*.test} host and fails for any other name. All
 * certificate generation of the bed lives in this one class, to be merged later with the general
 * test PKI builder.
 */
public final class BedCertificates {

  private final X509Certificate ca;
  private final X509Certificate mx;
  private final PrivateKey mxKey;
  private final KeyPair unrelated;
  private final X509Certificate clientCa;
  private final PrivateKey clientCaKey;
  private final Path dir;

  private BedCertificates(X509Certificate ca, X509Certificate mx, PrivateKey mxKey, KeyPair unrelated,
      X509Certificate clientCa, PrivateKey clientCaKey, Path dir) {
    this.ca = ca;
    this.mx = mx;
    this.mxKey = mxKey;
    this.unrelated = unrelated;
    this.clientCa = clientCa;
    this.clientCaKey = clientCaKey;
    this.dir = dir;
  }

  /** A client's key and certificate chain (its certificate, then the client CA). */
  public record ClientIdentity(PrivateKey key, List<X509Certificate> chain) {
    public ClientIdentity {
      chain = List.copyOf(chain);
    }

    /** The client's own certificate. */
    public X509Certificate certificate() {
      return chain.get(0);
    }
  }

  /**
   * Makes fresh keys and certificates and writes them as PEM files into {@code dir}.
   *
   * @param mxNames SAN DNS names of the MX certificate; the first is also its CN
   */
  static BedCertificates create(Path dir, List<String> mxNames) {
    try {
      Instant now = Instant.now();
      // Back-dated by a day so that clock skew between the JVM and Postfix never matters.
      Instant notBefore = now.minus(Duration.ofDays(1));
      Instant notAfter = now.plus(Duration.ofDays(30));

      KeyPair caKeys = rsaKeyPair();
      X500Name caName = new X500Name("CN=MailTLS Guard test bed CA,O=MailTLS Guard tests");
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(
          caName, serial(), Date.from(notBefore), Date.from(notAfter), caName, caKeys.getPublic());
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      caBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      caBuilder.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate ca = sign(caBuilder, caKeys.getPrivate());

      KeyPair mxKeys = rsaKeyPair();
      X509v3CertificateBuilder mxBuilder = new JcaX509v3CertificateBuilder(
          ca, serial(), Date.from(notBefore), Date.from(notAfter),
          new X500Name("CN=" + mxNames.get(0)), mxKeys.getPublic());
      mxBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      mxBuilder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      mxBuilder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      mxBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
          mxNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n))
              .toArray(GeneralName[]::new)));
      mxBuilder.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
      X509Certificate mx = sign(mxBuilder, caKeys.getPrivate());

      KeyPair clientCaKeys = ecKeyPair();
      X500Name clientCaName = new X500Name("CN=MailTLS Guard test bed client CA,O=MailTLS Guard tests");
      X509v3CertificateBuilder clientCaBuilder = new JcaX509v3CertificateBuilder(clientCaName, serial(),
          Date.from(notBefore), Date.from(notAfter), clientCaName, clientCaKeys.getPublic());
      clientCaBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      clientCaBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      clientCaBuilder.addExtension(Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(clientCaKeys.getPublic()));
      X509Certificate clientCa = sign(clientCaBuilder, clientCaKeys.getPrivate());

      BedCertificates certs = new BedCertificates(ca, mx, mxKeys.getPrivate(), ecKeyPair(), clientCa,
          clientCaKeys.getPrivate(), dir);
      certs.write();
      return certs;
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new BedStartupException("could not create the test bed certificates in " + dir, e);
    }
  }

  private static KeyPair rsaKeyPair() throws GeneralSecurityException {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    return rsa.generateKeyPair();
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    return ec.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(63, new SecureRandom()).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(key)));
  }

  /**
   * A fresh client key (EC P-256) and a certificate for {@code commonName} signed by the client CA,
   * valid for TLS client authentication: what {@link MxEndpoint#POSTFIX_CLIENT_CERT} verifies.
   */
  public ClientIdentity issueClientCertificate(String commonName) {
    try {
      Instant now = Instant.now();
      KeyPair keys = ecKeyPair();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(clientCa, serial(),
          Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))),
          new X500Name("CN=" + commonName + ",O=MailTLS Guard tests"), keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(clientCa));
      return new ClientIdentity(keys.getPrivate(), List.of(sign(builder, clientCaKey), clientCa));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot issue a client certificate for " + commonName, e);
    }
  }

  private void write() throws IOException {
    Files.createDirectories(dir);
    writePem(caFile(), false, ca);
    writePem(mxCertFile(), false, mx);
    writePem(mxChainFile(), false, mx, ca);
    writePem(mxKeyFile(), true, mxKey);
    // Postfix's smtpd_tls_chain_files: the key first, then the leaf, then the CA, in one file.
    writePem(postfixChainFile(), true, mxKey, mx, ca);
    writePem(unrelatedPublicKeyFile(), false, unrelated.getPublic());
    writePem(clientCaFile(), false, clientCa);
  }

  private static void writePem(Path file, boolean secret, Object... objects) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      for (Object object : objects) {
        pem.writeObject(object);
      }
    }
    Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
    // Postfix reads its key as root before dropping privileges, so 0600 is enough.
    Files.setPosixFilePermissions(
        file, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
  }

  /** The self-signed test CA; trust it to verify the MX chain with PKIX. */
  public X509Certificate caCertificate() {
    return ca;
  }

  /** The certificate every Postfix listener (and therefore every proxy) presents. */
  public X509Certificate mxCertificate() {
    return mx;
  }

  /** The key of a certificate that is nowhere in use: the {@code dane-mismatch.test} record. */
  public byte[] unrelatedPublicKey() {
    return unrelated.getPublic().getEncoded();
  }

  /** PEM file of the test CA certificate. */
  public Path caFile() {
    return dir.resolve("ca.crt");
  }

  /** PEM file of the MX certificate alone. */
  public Path mxCertFile() {
    return dir.resolve("mx.crt");
  }

  /** PEM file of the MX chain as Postfix sends it: MX certificate, then the test CA. */
  public Path mxChainFile() {
    return dir.resolve("mx-chain.pem");
  }

  /** PEM file (PKCS#8) of the MX private key. */
  public Path mxKeyFile() {
    return dir.resolve("mx.key");
  }

  /** Key plus chain in one PEM file, for Postfix's {@code smtpd_tls_chain_files}. */
  Path postfixChainFile() {
    return dir.resolve("mx-key-chain.pem");
  }

  /** The CA of client certificates; {@link MxEndpoint#POSTFIX_CLIENT_CERT} verifies against it. */
  public X509Certificate clientCaCertificate() {
    return clientCa;
  }

  /** PEM file of the client CA, Postfix's {@code smtpd_tls_CAfile} on {@link MxEndpoint#POSTFIX_CLIENT_CERT}. */
  public Path clientCaFile() {
    return dir.resolve("client-ca.crt");
  }

  /** PEM file of the unrelated public key (SubjectPublicKeyInfo). */
  public Path unrelatedPublicKeyFile() {
    return dir.resolve("unrelated.pub");
  }

  /** Wraps checked encoding failures: certificates made here are always encodable. */
  static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode " + certificate.getSubjectX500Principal(), e);
    }
  }
}
