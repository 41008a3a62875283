package dev.mailtls.it.bed;

import static dev.mailtls.it.bed.MxEndpoint.FAIL_PROXY;
import static dev.mailtls.it.bed.MxEndpoint.POSTFIX_CLIENT_CERT;
import static dev.mailtls.it.bed.MxEndpoint.POSTFIX_PLAIN;
import static dev.mailtls.it.bed.MxEndpoint.POSTFIX_TLS;
import static dev.mailtls.it.bed.MxEndpoint.STRIP_PROXY;
import static dev.mailtls.it.bed.TlsaSpec.DANE_EE_MX_CERT_SHA512;
import static dev.mailtls.it.bed.TlsaSpec.DANE_EE_MX_SPKI_SHA256;
import static dev.mailtls.it.bed.TlsaSpec.DANE_EE_UNRELATED_SPKI_SHA256;
import static dev.mailtls.it.bed.TlsaSpec.DANE_TA_CA_SPKI_SHA256;
import static dev.mailtls.it.bed.TlsaSpec.PKIX_EE_MX_SPKI_SHA256;
import static dev.mailtls.it.bed.TlsaSpec.PKIX_TA_CA_CERT_SHA256;

import java.util.List;
import java.util.NoSuchElementException;
import org.xbill.DNS.Type;

/**
 * The catalog of test domains served by the bed. Adding a case is one line here: the zone,
 * the hosts file, the Postfix catch-all Maildir and the properties file all follow from it.
 * Every domain's mail lands in {@code <mail root>/<domain>/} whichever MX it went through.
 */
public final class TestDomains {

  public static final String DANE_OK = "dane-ok.test";
  public static final String DANE_TA = "dane-ta.test";
  public static final String DANE_MISMATCH = "dane-mismatch.test";
  public static final String NO_TLS = "no-tls.test";
  public static final String STARTTLS_STRIP = "starttls-strip.test";
  public static final String STARTTLS_FAIL = "starttls-fail.test";
  public static final String NO_DANE = "no-dane.test";
  public static final String BOGUS_TLSA = "bogus-tlsa.test";
  public static final String EXPIRED_TLSA = "expired-tlsa.test";
  public static final String BOGUS_MX = "bogus-mx.test";
  public static final String INSECURE = "insecure.test";
  public static final String MX_FALLBACK = "mx-fallback.test";
  public static final String DANE_UNUSABLE = "dane-unusable.test";
  public static final String DANE_EE_CERT = "dane-ee-cert.test";
  public static final String CNAME = "cname.test";
  public static final String DANE_MISMATCH_2 = "dane-mismatch-2.test";
  public static final String DANE_MISMATCH_3 = "dane-mismatch-3.test";
  public static final String CLIENT_CERT = "client-cert.test";

  /** Every test domain. */
  public static final List<TestDomain> ALL = List.of(
      TestDomain.hostedAt(DANE_OK, POSTFIX_TLS, "deliver over authenticated TLS (port 25 and 465)")
          .withTlsa(DANE_EE_MX_SPKI_SHA256).withSmtpsTlsa(DANE_EE_MX_SPKI_SHA256),
      TestDomain.hostedAt(DANE_TA, POSTFIX_TLS, "deliver (DANE-TA; the CA is in the chain sent)")
          .withTlsa(DANE_TA_CA_SPKI_SHA256),
      TestDomain.hostedAt(DANE_MISMATCH, POSTFIX_TLS, "do not deliver to this MX (no TLSA matches, 25 nor 465)")
          .withTlsa(DANE_EE_UNRELATED_SPKI_SHA256).withSmtpsTlsa(DANE_EE_UNRELATED_SPKI_SHA256),
      TestDomain.hostedAt(NO_TLS, POSTFIX_PLAIN, "do not deliver: no STARTTLS but TLS is mandatory")
          .withTlsa(DANE_EE_MX_SPKI_SHA256),
      TestDomain.hostedAt(STARTTLS_STRIP, STRIP_PROXY, "do not deliver; never MAIL/AUTH in the clear")
          .withTlsa(DANE_EE_MX_SPKI_SHA256),
      TestDomain.hostedAt(STARTTLS_FAIL, FAIL_PROXY, "do not deliver: STARTTLS gets 454, no fallback")
          .withTlsa(DANE_EE_MX_SPKI_SHA256),
      TestDomain.hostedAt(NO_DANE, POSTFIX_TLS, "no TLSA (authenticated denial): opportunistic TLS"),
      TestDomain.hostedAt(BOGUS_TLSA, POSTFIX_TLS, "defer: TLSA lookup is bogus (SERVFAIL)")
          .withTlsa(DANE_EE_MX_SPKI_SHA256).withCorruptedSignature(Type.TLSA),
      TestDomain.hostedAt(EXPIRED_TLSA, POSTFIX_TLS, "defer: TLSA signature expired (SERVFAIL)")
          .withTlsa(DANE_EE_MX_SPKI_SHA256).withExpiredSignature(Type.TLSA),
      TestDomain.hostedAt(BOGUS_MX, POSTFIX_TLS, "defer: MX lookup is bogus (SERVFAIL)")
          .withTlsa(DANE_EE_MX_SPKI_SHA256).withCorruptedSignature(Type.MX),
      TestDomain.hostedAt(INSECURE, POSTFIX_TLS, "insecure zone: ignore its TLSA, opportunistic TLS")
          .withTlsa(DANE_EE_MX_SPKI_SHA256).withInsecureDelegation(),
      TestDomain.withMx(MX_FALLBACK, "skip MX 10 (no TLSA match), deliver via MX 20",
          new TestDomain.Mx(10, "mx." + DANE_MISMATCH), new TestDomain.Mx(20, "mx." + DANE_OK)),
      TestDomain.hostedAt(DANE_UNUSABLE, POSTFIX_TLS, "only unusable TLSA: TLS required, no authentication")
          .withTlsa(PKIX_EE_MX_SPKI_SHA256, PKIX_TA_CA_CERT_SHA256),
      TestDomain.hostedAt(DANE_EE_CERT, POSTFIX_TLS, "deliver (DANE-EE, full certificate, SHA2-512)")
          .withTlsa(DANE_EE_MX_CERT_SHA512),
      TestDomain.withMxAlias(CNAME, "mx." + DANE_OK,
          "MX host is a secure CNAME: TLSA from the expanded name mx.dane-ok.test, deliver"),
      TestDomain.hostedAt(DANE_MISMATCH_2, POSTFIX_TLS, "as dane-mismatch.test: a second destination for a rule of its own")
          .withTlsa(DANE_EE_UNRELATED_SPKI_SHA256),
      TestDomain.hostedAt(DANE_MISMATCH_3, POSTFIX_TLS, "as dane-mismatch.test: a third destination for a rule of its own")
          .withTlsa(DANE_EE_UNRELATED_SPKI_SHA256),
      TestDomain.hostedAt(CLIENT_CERT, POSTFIX_CLIENT_CERT, "deliver (DANE); the MX asks for a client certificate")
          .withTlsa(DANE_EE_MX_SPKI_SHA256));

  private TestDomains() {}

  /** The domain of that name; fails with the list of known names otherwise. */
  public static TestDomain get(String name) {
    return ALL.stream().filter(d -> d.name().equals(name)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no test domain " + name + "; known: "
            + ALL.stream().map(TestDomain::name).toList()));
  }
}
