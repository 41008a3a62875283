package dev.mailtls.it.bed;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One TLSA record of a test domain, described by its parameters and by which of the bed's
 * certificates it refers to; {@link #rdata(BedCertificates)} computes the record text.
 *
 * @param usage 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
 * @param selector 0 full certificate, 1 SubjectPublicKeyInfo
 * @param matchingType 0 full data, 1 SHA2-256, 2 SHA2-512
 * @param subject which certificate or key the record describes
 */
public record TlsaSpec(int usage, int selector, int matchingType, Subject subject) {

  /** {@code 3 1 1} of the MX certificate's key: the usual DANE-EE record. */
  public static final TlsaSpec DANE_EE_MX_SPKI_SHA256 = new TlsaSpec(3, 1, 1, Subject.MX_CERTIFICATE);
  /** {@code 3 0 2} of the whole MX certificate: selector 0 with SHA2-512. */
  public static final TlsaSpec DANE_EE_MX_CERT_SHA512 = new TlsaSpec(3, 0, 2, Subject.MX_CERTIFICATE);
  /** {@code 2 1 1} of the test CA's key: DANE-TA (Postfix sends the CA in its chain). */
  public static final TlsaSpec DANE_TA_CA_SPKI_SHA256 = new TlsaSpec(2, 1, 1, Subject.CA_CERTIFICATE);
  /** {@code 3 1 1} of a key nobody uses: never matches. */
  public static final TlsaSpec DANE_EE_UNRELATED_SPKI_SHA256 = new TlsaSpec(3, 1, 1, Subject.UNRELATED_KEY);
  /** {@code 1 1 1} of the MX certificate's key: PKIX-EE, unusable for SMTP (RFC 7672 §3.1.3). */
  public static final TlsaSpec PKIX_EE_MX_SPKI_SHA256 = new TlsaSpec(1, 1, 1, Subject.MX_CERTIFICATE);
  /** {@code 0 0 1} of the test CA certificate: PKIX-TA, unusable for SMTP (RFC 7672 §3.1.3). */
  public static final TlsaSpec PKIX_TA_CA_CERT_SHA256 = new TlsaSpec(0, 0, 1, Subject.CA_CERTIFICATE);

  /** The certificate or key a record describes. */
  public enum Subject {
    /** The certificate all Postfix listeners present. */
    MX_CERTIFICATE,
    /** The test CA that issued it (sent in the chain). */
    CA_CERTIFICATE,
    /** A key that appears in no certificate (selector 1 only). */
    UNRELATED_KEY
  }

  public TlsaSpec {
    if (usage < 0 || usage > 3 || selector < 0 || selector > 1 || matchingType < 0 || matchingType > 2) {
      throw new IllegalArgumentException(
          "TLSA parameters out of range: " + usage + " " + selector + " " + matchingType);
    }
    if (subject == Subject.UNRELATED_KEY && selector != 1) {
      throw new IllegalArgumentException("the unrelated key has no certificate; use selector 1");
    }
  }

  /** The record data in zone-file syntax, e.g. {@code 3 1 1 94085c49...}. */
  public String rdata(BedCertificates certs) {
    return usage + " " + selector + " " + matchingType + " " + associationHex(certs);
  }

  /** The certificate association data as lower-case hex. */
  public String associationHex(BedCertificates certs) {
    byte[] data;
    switch (subject) {
      case MX_CERTIFICATE:
        data = selector == 0
            ? BedCertificates.encoded(certs.mxCertificate())
            : certs.mxCertificate().getPublicKey().getEncoded();
        break;
      case CA_CERTIFICATE:
        data = selector == 0
            ? BedCertificates.encoded(certs.caCertificate())
            : certs.caCertificate().getPublicKey().getEncoded();
        break;
      default:
        data = certs.unrelatedPublicKey();
    }
    return HexFormat.of().formatHex(digest(data));
  }

  private byte[] digest(byte[] data) {
    if (matchingType == 0) {
      return data;
    }
    try {
      return MessageDigest.getInstance(matchingType == 1 ? "SHA-256" : "SHA-512").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256 and SHA-512", e);
    }
  }

  @Override
  public String toString() {
    return usage + " " + selector + " " + matchingType + " of " + subject;
  }
}
