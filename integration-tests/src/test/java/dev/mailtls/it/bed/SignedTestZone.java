package dev.mailtls.it.bed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The zone {@code test.}, built from {@link TestDomains} and signed here with dnsjava (ECDSA
 * P-256, algorithm 13: a KSK for the DNSKEY RRset and a ZSK for the rest, NSEC for denial), plus
 * the unsigned child zones of the insecure delegations. Knot only serves these files; its own
 * signing is off. The deliberate breakage (a flipped bit in an RRSIG, a signature that expired
 * two days ago) is applied here on the dnsjava records.
 *
 * <p>Keys are made afresh on every bring-up, so the trust anchor changes with each run; Unbound
 * is always restarted with the bed and reads the new one.
 */
final class SignedTestZone {

  /** The signed parent zone. */
  static final Name APEX = name("test.");
  /** Record TTL and negative TTL: short, so a changed zone is seen quickly. */
  static final long TTL = 60;

  private static final Duration CLOCK_SKEW = Duration.ofHours(1);
  private static final Duration VALIDITY = Duration.ofDays(30);
  private static final Duration EXPIRED_AGO = Duration.ofDays(2);

  private final String zoneText;
  private final Map<String, String> childZones;
  private final String trustAnchorDs;
  private final String trustAnchorDnskey;

  private SignedTestZone(String zoneText, Map<String, String> childZones, String ds, String dnskey) {
    this.zoneText = zoneText;
    this.childZones = childZones;
    this.trustAnchorDs = ds;
    this.trustAnchorDnskey = dnskey;
  }

  /**
   * Builds and signs the zones.
   *
   * @param nameServer address of the one name server (Knot), published as {@code ns.test.} and
   *     as glue of the insecure delegations; resolvers reach it through their stub configuration
   */
  static SignedTestZone build(List<TestDomain> domains, BedCertificates certs, String nameServer) {
    try {
      return new Builder(certs, nameServer).build(domains);
    } catch (GeneralSecurityException | DNSSEC.DNSSECException | IOException e) {
      throw new BedStartupException("could not build and sign the zone test.: " + e.getMessage(), e);
    }
  }

  /** Zone-file text of {@code test.}, signed, with the deliberate breakage applied. */
  String zoneText() {
    return zoneText;
  }

  /** Unsigned child zones behind insecure delegations: zone name (no trailing dot) to text. */
  Map<String, String> childZones() {
    return childZones;
  }

  /** The trust anchor: the DS record of the KSK (SHA-256), zone-file syntax. */
  String trustAnchorDs() {
    return trustAnchorDs;
  }

  /** The trust anchor: the DNSKEY record of the KSK, zone-file syntax. */
  String trustAnchorDnskey() {
    return trustAnchorDnskey;
  }

  /** Writes {@code test.zone}, {@code <child>.zone}, {@code test.ds} and {@code test.dnskey}. */
  void write(BedLayout layout) throws IOException {
    Path dir = layout.dnsDir();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("test.zone"), zoneText, StandardCharsets.US_ASCII);
    for (Map.Entry<String, String> child : childZones.entrySet()) {
      Files.writeString(dir.resolve(child.getKey() + ".zone"), child.getValue(), StandardCharsets.US_ASCII);
    }
    Files.writeString(layout.trustAnchorDsFile(), trustAnchorDs + "\n", StandardCharsets.US_ASCII);
    Files.writeString(layout.trustAnchorDnskeyFile(), trustAnchorDnskey + "\n", StandardCharsets.US_ASCII);
  }

  static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad DNS name " + text, e);
    }
  }

  /** Collects the records, adds NSEC, signs, breaks and prints. */
  private static final class Builder {
    private final BedCertificates certs;
    private final String nameServer;
    private final Instant now = Instant.now();
    /** Canonical DNSSEC order (Name.compareTo), as the NSEC chain needs. */
    private final TreeMap<Name, Map<Integer, RRset>> parent = new TreeMap<>();
    private final Map<String, List<Record>> children = new LinkedHashMap<>();
    private final Map<String, Integer> breakage = new LinkedHashMap<>();

    private static final int CORRUPT = 1;
    private static final int EXPIRE = 2;

    Builder(BedCertificates certs, String nameServer) {
      this.certs = certs;
      this.nameServer = nameServer;
    }

    SignedTestZone build(List<TestDomain> domains)
        throws GeneralSecurityException, DNSSEC.DNSSECException, IOException {
      KeyPair kskKeys = ecKeyPair();
      KeyPair zskKeys = ecKeyPair();
      DNSKEYRecord ksk = new DNSKEYRecord(APEX, DClass.IN, TTL, DNSKEYRecord.Flags.ZONE_KEY
          | DNSKEYRecord.Flags.SEP_KEY, DNSKEYRecord.Protocol.DNSSEC,
          DNSSEC.Algorithm.ECDSAP256SHA256, kskKeys.getPublic());
      DNSKEYRecord zsk = new DNSKEYRecord(APEX, DClass.IN, TTL, DNSKEYRecord.Flags.ZONE_KEY,
          DNSKEYRecord.Protocol.DNSSEC, DNSSEC.Algorithm.ECDSAP256SHA256, zskKeys.getPublic());

      add(parent, soa(APEX));
      add(parent, rr(APEX, Type.NS, "ns.test."));
      add(parent, rr(name("ns.test"), Type.A, nameServer));
      add(parent, ksk);
      add(parent, zsk);
      for (TestDomain domain : domains) {
        if (domain.insecureDelegation()) {
          delegate(domain);
        } else {
          domainRecords(domain).forEach(r -> add(parent, r));
          domain.corruptedSignatures().forEach(t -> breakage.put(key(name(domain.breakageOwner(t)), t), CORRUPT));
          domain.expiredSignatures().forEach(t -> breakage.put(key(name(domain.breakageOwner(t)), t), EXPIRE));
        }
      }
      addNsecChain();
      StringBuilder text = new StringBuilder();
      text.append("; zone test., signed by the MailTLS Guard test bed (dnsjava), ").append(now).append('\n');
      for (Map.Entry<Name, Map<Integer, RRset>> owner : parent.entrySet()) {
        boolean delegation = isDelegation(owner.getKey());
        for (RRset set : owner.getValue().values()) {
          if (!occluded(owner.getKey()) && !(delegation && set.getType() == Type.NS)) {
            // Delegation NS and glue are not authoritative here and stay unsigned (RFC 4035 §2.2).
            sign(set, set.getType() == Type.DNSKEY ? ksk : zsk,
                set.getType() == Type.DNSKEY ? kskKeys : zskKeys);
          }
          set.rrs(false).forEach(r -> text.append(r).append('\n'));
          set.sigs().forEach(r -> text.append(r).append('\n'));
        }
      }
      if (!breakage.isEmpty()) {
        throw new IllegalStateException("signatures to break on RRsets that do not exist: " + breakage.keySet());
      }
      Map<String, String> childTexts = new LinkedHashMap<>();
      children.forEach((zone, records) -> {
        StringBuilder child = new StringBuilder("; unsigned zone " + zone + ". (insecure delegation)\n");
        records.forEach(r -> child.append(r).append('\n'));
        childTexts.put(zone, child.toString());
      });
      DSRecord ds = new DSRecord(APEX, DClass.IN, TTL, DNSSEC.Digest.SHA256, ksk);
      return new SignedTestZone(text.toString(), childTexts, ds.toString(), ksk.toString());
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
      KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
      ec.initialize(new ECGenParameterSpec("secp256r1"));
      return ec.generateKeyPair();
    }

    private static String key(Name owner, int type) {
      return owner + " " + Type.string(type);
    }

    /** The MX, address or alias, and TLSA records of one domain. */
    private List<Record> domainRecords(TestDomain domain) throws IOException {
      List<Record> records = new ArrayList<>();
      Name apex = name(domain.name());
      for (TestDomain.Mx mx : domain.mx()) {
        records.add(rr(apex, Type.MX, mx.preference() + " " + mx.host() + "."));
      }
      if (domain.endpoint() != null) {
        records.add(rr(name(domain.ownHost()), Type.A, domain.endpoint().ip()));
      }
      if (domain.alias() != null) {
        records.add(rr(name(domain.ownHost()), Type.CNAME, domain.alias() + "."));
      }
      for (TlsaSpec tlsa : domain.tlsa()) {
        records.add(rr(name(domain.tlsaOwner()), Type.TLSA, tlsa.rdata(certs)));
      }
      for (TlsaSpec tlsa : domain.smtpsTlsa()) {
        records.add(rr(name(domain.smtpsTlsaOwner()), Type.TLSA, tlsa.rdata(certs)));
      }
      return records;
    }

    /** NS and glue in the parent, the domain's records in an unsigned child zone. */
    private void delegate(TestDomain domain) throws IOException {
      Name apex = name(domain.name());
      Name ns = name("ns." + domain.name());
      add(parent, rr(apex, Type.NS, ns.toString()));
      add(parent, rr(ns, Type.A, nameServer));
      List<Record> child = new ArrayList<>();
      child.add(soa(apex));
      child.add(rr(apex, Type.NS, ns.toString()));
      child.add(rr(ns, Type.A, nameServer));
      child.addAll(domainRecords(domain));
      children.put(domain.name(), child);
    }

    private boolean isDelegation(Name owner) {
      return !owner.equals(APEX) && parent.get(owner).containsKey(Type.NS);
    }

    /** Below a delegation point: glue, not part of the NSEC chain and not signed. */
    private boolean occluded(Name owner) {
      for (int labels = owner.labels() - 1; labels > APEX.labels(); labels--) {
        Name ancestor = new Name(owner, owner.labels() - labels);
        if (parent.containsKey(ancestor) && isDelegation(ancestor)) {
          return true;
        }
      }
      return false;
    }

    /** One NSEC per authoritative owner name, in canonical order, the last pointing at the apex. */
    private void addNsecChain() {
      List<Name> owners = new ArrayList<>();
      for (Name owner : parent.keySet()) {
        if (!occluded(owner)) {
          owners.add(owner);
        }
      }
      for (int i = 0; i < owners.size(); i++) {
        Name owner = owners.get(i);
        Name next = owners.get((i + 1) % owners.size());
        List<Integer> types = new ArrayList<>(parent.get(owner).keySet());
        types.add(Type.NSEC);
        types.add(Type.RRSIG);
        add(parent, new NSECRecord(owner, DClass.IN, TTL, next,
            types.stream().mapToInt(Integer::intValue).sorted().toArray()));
      }
    }

    private void sign(RRset set, DNSKEYRecord key, KeyPair keys) throws DNSSEC.DNSSECException {
      Integer damage = breakage.remove(key(set.getName(), set.getType()));
      Instant inception = now.minus(CLOCK_SKEW);
      Instant expiration = now.plus(VALIDITY);
      if (damage != null && damage == EXPIRE) {
        expiration = now.minus(EXPIRED_AGO);
        inception = expiration.minus(VALIDITY);
      }
      RRSIGRecord sig = DNSSEC.sign(set, key, keys.getPrivate(), inception, expiration);
      // Self-check: a signature we did not break on purpose must verify, or the bed is wrong.
      DNSSEC.verify(set, sig, key, damage == null ? now : inception.plusSeconds(1));
      if (damage != null && damage == CORRUPT) {
        byte[] signature = sig.getSignature();
        signature[signature.length / 2] ^= 0x01;
        sig = new RRSIGRecord(sig.getName(), sig.getDClass(), sig.getTTL(), sig.getTypeCovered(),
            sig.getAlgorithm(), sig.getOrigTTL(), sig.getExpire(), sig.getTimeSigned(),
            sig.getFootprint(), sig.getSigner(), signature);
      }
      set.addRR(sig);
    }

    private Record soa(Name apex) throws IOException {
      // Serial: seconds since the epoch, so that each bring-up has a newer zone.
      return rr(apex, Type.SOA, "ns." + apex + " hostmaster." + apex + " "
          + now.getEpochSecond() + " 3600 600 86400 " + TTL);
    }

    private static Record rr(Name owner, int type, String rdata) throws IOException {
      return Record.fromString(owner, type, DClass.IN, TTL, rdata, Name.root);
    }

    private static void add(TreeMap<Name, Map<Integer, RRset>> zone, Record record) {
      zone.computeIfAbsent(record.getName(), n -> new TreeMap<>())
          .computeIfAbsent(record.getType(), t -> new RRset())
          .addRR(record);
    }
  }
}
