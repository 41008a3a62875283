package dev.mailtls.it.bed;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The keys of {@code bed.properties}, the file in the bed directory that describes a running
 * bed to code that cannot call {@link TestBed} (another JVM, a script). Addresses are
 * {@code host:port}; TLSA values are {@code usage selector mtype hex}, several joined by {@code ;}.
 */
public final class BedProperties {

  /** The state directory. */
  public static final String DIR = "bed.dir";
  /** Unbound, the validating resolver: query with DO, never CD. */
  public static final String RESOLVER = "dns.resolver.address";
  /** Knot, authoritative for test. (signed) and the insecure child zones. */
  public static final String KNOT = "dns.knot.address";
  /** Accepts DNS queries over UDP and TCP and never answers. */
  public static final String BLACK_HOLE = "dns.blackhole.address";
  /** DS record of the test. KSK, zone-file syntax. */
  public static final String TRUST_ANCHOR_DS = "dns.trustanchor.ds";
  /** DNSKEY record of the test. KSK, zone-file syntax. */
  public static final String TRUST_ANCHOR_DNSKEY = "dns.trustanchor.dnskey";
  public static final String TRUST_ANCHOR_DS_FILE = "dns.trustanchor.ds.file";
  public static final String TRUST_ANCHOR_DNSKEY_FILE = "dns.trustanchor.dnskey.file";
  /** Postfix with STARTTLS. */
  public static final String POSTFIX_TLS = "smtp.postfix.tls.address";
  /** Postfix with implicit TLS (smtps, port 465). */
  public static final String POSTFIX_SMTPS = "smtp.postfix.smtps.address";
  /** Postfix without STARTTLS. */
  public static final String POSTFIX_PLAIN = "smtp.postfix.plain.address";
  /** The STARTTLS-stripping proxy (in the test JVM). */
  public static final String PROXY_STRIP = "smtp.proxy.strip.address";
  /** The proxy answering STARTTLS with 454 (in the test JVM). */
  public static final String PROXY_FAIL = "smtp.proxy.fail.address";
  public static final String POSTFIX_LOG = "smtp.postfix.log";
  /** Root of the Maildirs, one per test domain. */
  public static final String MAIL_ROOT = "mail.root";
  public static final String CA_CERT_FILE = "tls.ca.file";
  /** The MX certificate, then the CA (what Postfix sends). */
  public static final String MX_CHAIN_FILE = "tls.mx.chain.file";
  public static final String MX_CERT_FILE = "tls.mx.cert.file";
  /** The TLSA records of the MX host of a domain: prefix + domain, e.g. {@code tlsa.dane-ok.test}. */
  public static final String TLSA_PREFIX = "tlsa.";
  /** The TLSA records at {@code _465._tcp.mx.<domain>}: prefix + domain, e.g. {@code tlsa465.dane-ok.test}. */
  public static final String SMTPS_TLSA_PREFIX = "tlsa465.";
  /** The MX host addresses, for {@code -Djdk.net.hosts.file}. */
  public static final String HOSTS_FILE = "hosts.file";
  /** Comma-separated test domain names. */
  public static final String DOMAINS = "domains";

  private BedProperties() {}

  static Properties of(TestBed bed) {
    Properties p = new Properties();
    BedLayout layout = bed.layout();
    p.setProperty(DIR, layout.dir().toString());
    p.setProperty(RESOLVER, text(bed.resolverAddress()));
    p.setProperty(KNOT, text(bed.knotAddress()));
    p.setProperty(BLACK_HOLE, text(bed.blackHole().address()));
    p.setProperty(TRUST_ANCHOR_DS, bed.trustAnchorDs());
    p.setProperty(TRUST_ANCHOR_DNSKEY, bed.trustAnchorDnskey());
    p.setProperty(TRUST_ANCHOR_DS_FILE, layout.trustAnchorDsFile().toString());
    p.setProperty(TRUST_ANCHOR_DNSKEY_FILE, layout.trustAnchorDnskeyFile().toString());
    p.setProperty(POSTFIX_TLS, text(MxEndpoint.POSTFIX_TLS.address()));
    p.setProperty(POSTFIX_SMTPS, text(MxEndpoint.POSTFIX_TLS.smtpsAddress()));
    p.setProperty(POSTFIX_PLAIN, text(MxEndpoint.POSTFIX_PLAIN.address()));
    p.setProperty(PROXY_STRIP, text(bed.stripProxy().address()));
    p.setProperty(PROXY_FAIL, text(bed.failProxy().address()));
    p.setProperty(POSTFIX_LOG, layout.postfixLog().toString());
    p.setProperty(MAIL_ROOT, layout.mailRoot().toString());
    p.setProperty(CA_CERT_FILE, bed.certificates().caFile().toString());
    p.setProperty(MX_CHAIN_FILE, bed.certificates().mxChainFile().toString());
    p.setProperty(MX_CERT_FILE, bed.certificates().mxCertFile().toString());
    p.setProperty(HOSTS_FILE, layout.hostsFile().toString());
    p.setProperty(DOMAINS, TestDomains.ALL.stream().map(TestDomain::name).collect(Collectors.joining(",")));
    for (TestDomain domain : TestDomains.ALL) {
      if (!domain.tlsa().isEmpty()) {
        p.setProperty(TLSA_PREFIX + domain.name(), bed.tlsa(domain.name()));
      }
      if (!domain.smtpsTlsa().isEmpty()) {
        p.setProperty(SMTPS_TLSA_PREFIX + domain.name(), bed.smtpsTlsa(domain.name()));
      }
    }
    return p;
  }

  static void write(Properties properties, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      properties.store(out, "MailTLS Guard test bed; keys: dev.mailtls.it.bed.BedProperties");
    }
  }

  private static String text(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }
}
