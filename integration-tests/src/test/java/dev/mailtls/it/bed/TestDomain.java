package dev.mailtls.it.bed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.Type;

/**
 * One test domain of the bed: its MX records, the address or alias of its own MX host
 * {@code mx.<domain>}, the TLSA records at {@code _25._tcp.mx.<domain>} (and, for implicit TLS,
 * {@code _465._tcp.mx.<domain>}), and which signatures to
 * break on purpose. Immutable; each {@code with...} method returns a changed copy, so a case in
 * {@link TestDomains} is one line.
 */
public final class TestDomain {

  /** One MX record: preference and exchange host name (absolute, without the trailing dot). */
  public record Mx(int preference, String host) {
    public Mx {
      host = host.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
      return preference + " " + host;
    }
  }

  private final String name;
  private final String expectation;
  private final List<Mx> mx;
  private final MxEndpoint endpoint;
  private final String alias;
  private final List<TlsaSpec> tlsa;
  private final List<TlsaSpec> smtpsTlsa;
  private final Set<Integer> corrupted;
  private final Set<Integer> expired;
  private final boolean insecure;

  private TestDomain(String name, String expectation, List<Mx> mx, MxEndpoint endpoint,
      String alias, List<TlsaSpec> tlsa, List<TlsaSpec> smtpsTlsa, Set<Integer> corrupted,
      Set<Integer> expired, boolean insecure) {
    this.name = name;
    this.expectation = expectation;
    this.mx = List.copyOf(mx);
    this.endpoint = endpoint;
    this.alias = alias;
    this.tlsa = List.copyOf(tlsa);
    this.smtpsTlsa = List.copyOf(smtpsTlsa);
    this.corrupted = Collections.unmodifiableSet(new TreeSet<>(corrupted));
    this.expired = Collections.unmodifiableSet(new TreeSet<>(expired));
    this.insecure = insecure;
  }

  private static void checkName(String name) {
    if (!name.equals(name.toLowerCase(Locale.ROOT)) || !name.endsWith(".test") || name.endsWith(".")) {
      throw new IllegalArgumentException(
          "test domains are lower-case names under test. without a trailing dot, got " + name);
    }
  }

  /** A domain whose single MX (preference 10) is {@code mx.<name>}, with its A record at {@code endpoint}. */
  public static TestDomain hostedAt(String name, MxEndpoint endpoint, String expectation) {
    checkName(name);
    return new TestDomain(name, expectation, List.of(new Mx(10, "mx." + name)),
        Objects.requireNonNull(endpoint), null, List.of(), List.of(), Set.of(), Set.of(), false);
  }

  /** A domain whose MX records name hosts of other test domains; it has no host of its own. */
  public static TestDomain withMx(String name, String expectation, Mx... mx) {
    checkName(name);
    return new TestDomain(name, expectation, List.of(mx), null, null, List.of(), List.of(),
        Set.of(), Set.of(), false);
  }

  /** A domain whose MX is {@code mx.<name>}, a CNAME to {@code target} (another domain's host). */
  public static TestDomain withMxAlias(String name, String target, String expectation) {
    checkName(name);
    return new TestDomain(name, expectation, List.of(new Mx(10, "mx." + name)), null,
        target.toLowerCase(Locale.ROOT), List.of(), List.of(), Set.of(), Set.of(), false);
  }

  /** Publishes these TLSA records at {@code _25._tcp.mx.<name>}. */
  public TestDomain withTlsa(TlsaSpec... records) {
    requireOwnHost("TLSA records");
    return new TestDomain(name, expectation, mx, endpoint, alias, List.of(records), smtpsTlsa,
        corrupted, expired, insecure);
  }

  /**
   * Publishes these TLSA records at {@code _465._tcp.mx.<name>}, for implicit TLS (smtps). Only
   * a domain hosted at {@link MxEndpoint#POSTFIX_TLS} can have them: nothing else listens on 465.
   */
  public TestDomain withSmtpsTlsa(TlsaSpec... records) {
    if (endpoint != MxEndpoint.POSTFIX_TLS) {
      throw new IllegalStateException(name + ": only " + MxEndpoint.POSTFIX_TLS + " listens on port "
          + MxEndpoint.SMTPS_PORT + ", not " + endpoint);
    }
    return new TestDomain(name, expectation, mx, endpoint, alias, tlsa, List.of(records),
        corrupted, expired, insecure);
  }

  /** Flips one bit of the RRSIG over the given RRset ({@link Type#MX}, {@link Type#A} or {@link Type#TLSA}). */
  public TestDomain withCorruptedSignature(int type) {
    Set<Integer> set = new TreeSet<>(corrupted);
    set.add(checkBreakable(type));
    return new TestDomain(name, expectation, mx, endpoint, alias, tlsa, smtpsTlsa, set, expired,
        insecure);
  }

  /** Signs the given RRset with a signature whose validity ended two days ago. */
  public TestDomain withExpiredSignature(int type) {
    Set<Integer> set = new TreeSet<>(expired);
    set.add(checkBreakable(type));
    return new TestDomain(name, expectation, mx, endpoint, alias, tlsa, smtpsTlsa, corrupted, set,
        insecure);
  }

  /** Serves the domain as its own unsigned zone behind an insecure delegation (NS, no DS). */
  public TestDomain withInsecureDelegation() {
    if (!corrupted.isEmpty() || !expired.isEmpty()) {
      throw new IllegalStateException(name + ": an unsigned zone has no signatures to break");
    }
    return new TestDomain(name, expectation, mx, endpoint, alias, tlsa, smtpsTlsa, corrupted,
        expired, true);
  }

  private int checkBreakable(int type) {
    if (type != Type.MX && type != Type.A && type != Type.TLSA) {
      throw new IllegalArgumentException("can break MX, A or TLSA signatures, not " + Type.string(type));
    }
    if (insecure) {
      throw new IllegalStateException(name + ": an unsigned zone has no signatures to break");
    }
    return type;
  }

  private void requireOwnHost(String what) {
    if (endpoint == null) {
      throw new IllegalStateException(name + " has no MX host of its own to carry " + what);
    }
  }

  /** The domain name, e.g. {@code dane-ok.test}. */
  public String name() {
    return name;
  }

  /** What an RFC 7672 client should do with mail for this domain (documentation). */
  public String expectation() {
    return expectation;
  }

  /** The MX records of the domain. */
  public List<Mx> mx() {
    return mx;
  }

  /** {@code mx.<name>}, the domain's own MX host (an A record or a CNAME), or null if it has none. */
  public String ownHost() {
    return endpoint != null || alias != null ? "mx." + name : null;
  }

  /** The listener the A record of {@code mx.<name>} points at, or null (alias or no own host). */
  public MxEndpoint endpoint() {
    return endpoint;
  }

  /** The CNAME target of {@code mx.<name>}, or null. */
  public String alias() {
    return alias;
  }

  /** The owner name of the TLSA records, {@code _25._tcp.mx.<name>}, or null if it has no host. */
  public String tlsaOwner() {
    return endpoint == null ? null : "_" + MxEndpoint.SMTP_PORT + "._tcp.mx." + name;
  }

  /** The TLSA records at {@link #tlsaOwner()}; empty for an authenticated denial. */
  public List<TlsaSpec> tlsa() {
    return tlsa;
  }

  /** The owner name of the implicit-TLS TLSA records, {@code _465._tcp.mx.<name>}, or null if it has no host. */
  public String smtpsTlsaOwner() {
    return endpoint == null ? null : "_" + MxEndpoint.SMTPS_PORT + "._tcp.mx." + name;
  }

  /** The TLSA records at {@link #smtpsTlsaOwner()}; empty for most domains. */
  public List<TlsaSpec> smtpsTlsa() {
    return smtpsTlsa;
  }

  /** Types whose RRSIG has one bit flipped. */
  public Set<Integer> corruptedSignatures() {
    return corrupted;
  }

  /** Types whose RRSIG expired two days ago. */
  public Set<Integer> expiredSignatures() {
    return expired;
  }

  /** Whether the domain is an unsigned child zone with an insecure delegation. */
  public boolean insecureDelegation() {
    return insecure;
  }

  /** The owner name of the RRset of the given type that the breakage methods refer to. */
  String breakageOwner(int type) {
    if (type == Type.MX) {
      return name;
    }
    requireOwnHost(Type.string(type));
    return type == Type.TLSA ? tlsaOwner() : "mx." + name;
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    parts.add("MX " + mx);
    if (endpoint != null) {
      parts.add("mx." + name + " A " + endpoint.ip());
    }
    if (alias != null) {
      parts.add("mx." + name + " CNAME " + alias);
    }
    if (!tlsa.isEmpty()) {
      parts.add("TLSA " + tlsa);
    }
    if (!smtpsTlsa.isEmpty()) {
      parts.add("TLSA at port " + MxEndpoint.SMTPS_PORT + " " + smtpsTlsa);
    }
    corrupted.forEach(t -> parts.add("corrupted RRSIG " + Type.string(t)));
    expired.forEach(t -> parts.add("expired RRSIG " + Type.string(t)));
    if (insecure) {
      parts.add("insecure delegation");
    }
    return name + " " + parts;
  }
}
