package dev.mailtls.testing;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * An in-memory DNS tree for tests: one zone signed with a fresh ECDSA P-256 key (algorithm 13,
 * NSEC for denial), optionally with unsigned child zones behind insecure delegations (an NSEC at
 * the delegation proves there is no DS), and RRsets whose signature is deliberately broken or
 * expired. {@link #answer(Message)} replies as a non-validating recursive resolver would: it
 * follows CNAMEs across the zones, adds RRSIGs and NSEC proofs when the query has the DO bit,
 * and never sets AD. So a client that validates (from {@link #trustAnchor()}) really validates.
 *
 * <p>Not supported: wildcards, NSEC3, DNAME, more than one level of signed zones.
 */
public final class SignedTestZone {
    private static final int ALGORITHM = DNSSEC.Algorithm.ECDSAP256SHA256;

    private final Zone signed;
    private final List<Zone> children;
    private final DSRecord ds;

    private SignedTestZone(Zone signed, List<Zone> children, DSRecord ds) {
        this.signed = signed;
        this.children = children;
        this.ds = ds;
    }

    /** A zone signed at {@code apex}, e.g. {@code "test."}. */
    public static Builder builder(String apex) {
        return new Builder(name(apex));
    }

    /** The DS record of the signed zone, in zone-file format, for a validator's trust anchors. */
    public String trustAnchor() {
        return ds.toString() + "\n";
    }

    public FakeDnsServer.Responder responder() {
        return query -> FakeDnsServer.Reply.message(answer(query));
    }

    /** The reply of a recursive resolver without validation (no AD, whatever the data). */
    public Message answer(Message query) {
        Record question = query.getQuestion();
        boolean dnssecOk = query.getOPT() != null && (query.getOPT().getFlags() & ExtendedFlags.DO) != 0;
        Message reply = DnsReplies.skeleton(query, Rcode.NOERROR, false);
        if (query.getOPT() != null) {
            reply.addRecord(new OPTRecord(1232, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        Name name = question.getName();
        int type = question.getType();
        for (int hops = 0; hops < 10; hops++) {
            Zone zone = zoneFor(name, type);
            if (zone == null) {
                reply.getHeader().setRcode(Rcode.REFUSED);
                return reply;
            }
            RRset data = zone.rrset(name, type);
            if (data != null) {
                add(reply, Section.ANSWER, data, dnssecOk);
                return reply;
            }
            RRset alias = type == Type.CNAME ? null : zone.rrset(name, Type.CNAME);
            if (alias == null) {
                zone.deny(reply, name, dnssecOk);
                return reply;
            }
            add(reply, Section.ANSWER, alias, dnssecOk);
            name = ((CNAMERecord) alias.first()).getTarget();
        }
        return reply;
    }

    /** The deepest zone holding {@code name}; a DS lives in the parent of the zone it points to. */
    private Zone zoneFor(Name name, int type) {
        Zone best = name.subdomain(signed.apex) ? signed : null;
        for (Zone child : children) {
            boolean dsOfChild = type == Type.DS && name.equals(child.apex);
            if (!dsOfChild && name.subdomain(child.apex) && (best == null || child.apex.labels() > best.apex.labels())) {
                best = child;
            }
        }
        return best;
    }

    private static void add(Message reply, int section, RRset set, boolean dnssecOk) {
        for (Record record : set.rrs()) {
            reply.addRecord(record, section);
        }
        if (dnssecOk) {
            for (RRSIGRecord sig : set.sigs()) {
                reply.addRecord(sig, section);
            }
        }
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text, Name.root);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a DNS name: " + text, e);
        }
    }

    /** One zone: its RRsets by owner (canonical order) and type. */
    private static final class Zone {
        final Name apex;
        final boolean isSigned;
        final TreeMap<Name, Map<Integer, RRset>> owners = new TreeMap<>();

        Zone(Name apex, boolean isSigned) {
            this.apex = apex;
            this.isSigned = isSigned;
            put(DnsReplies.records(apex + " 300 IN SOA ns." + apex + " hostmaster." + apex + " 1 3600 600 86400 60",
                    apex + " 300 IN NS ns." + apex).toArray(new Record[0]));
        }

        void put(Record... records) {
            for (Record record : records) {
                owners.computeIfAbsent(record.getName(), owner -> new LinkedHashMap<>())
                        .computeIfAbsent(record.getType(), type -> new RRset())
                        .addRR(record);
            }
        }

        RRset rrset(Name name, int type) {
            Map<Integer, RRset> sets = owners.get(name);
            return sets == null ? null : sets.get(type);
        }

        boolean exists(Name name) {
            for (Name owner : owners.keySet()) {
                if (owner.subdomain(name)) {
                    return true;
                }
            }
            return false;
        }

        /** NODATA or NXDOMAIN for {@code name}: the SOA, and in a signed zone the NSEC proofs. */
        void deny(Message reply, Name name, boolean dnssecOk) {
            boolean exists = exists(name);
            reply.getHeader().setRcode(exists ? Rcode.NOERROR : Rcode.NXDOMAIN);
            add(reply, Section.AUTHORITY, rrset(apex, Type.SOA), dnssecOk);
            if (!isSigned || !dnssecOk) {
                return;
            }
            Set<Name> proofs = new HashSet<>();
            if (exists) {
                proofs.add(owners.containsKey(name) ? name : covering(name));
            } else {
                proofs.add(covering(name));
                Name encloser = name;
                while (!exists(encloser)) {
                    encloser = new Name(encloser, 1);
                }
                proofs.add(covering(wildcard(encloser)));
            }
            for (Name owner : proofs) {
                add(reply, Section.AUTHORITY, rrset(owner, Type.NSEC), dnssecOk);
            }
        }

        private static Name wildcard(Name encloser) {
            try {
                return Name.concatenate(Name.fromConstantString("*"), encloser);
            } catch (NameTooLongException e) {
                throw new IllegalArgumentException("no wildcard fits below " + encloser, e);
            }
        }

        /** The owner whose NSEC covers {@code name}: the last one before it, wrapping around. */
        Name covering(Name name) {
            Name before = owners.lowerKey(name);
            return before != null ? before : owners.lastKey();
        }
    }

    /** A deliberate DNSSEC failure of one RRset. */
    private enum Fault {
        /** One bit of the signature flipped. */
        CORRUPT,
        /** Validity ended two days ago. */
        EXPIRED
    }

    /** Collects records and faults; {@link #build()} distributes, signs and breaks them. */
    public static final class Builder {
        private final Name apex;
        private final List<Record> records = new ArrayList<>();
        private final List<Name> insecureChildren = new ArrayList<>();
        private final Map<String, Fault> faults = new LinkedHashMap<>();

        private Builder(Name apex) {
            this.apex = apex;
        }

        /** Records in zone-file format with absolute names, one per line or per argument. */
        public Builder records(String... lines) {
            records.addAll(DnsReplies.records(lines));
            return this;
        }

        /** Makes {@code child} an unsigned zone: its parent proves with NSEC that it has no DS. */
        public Builder insecureDelegation(String child) {
            insecureChildren.add(name(child));
            return this;
        }

        /** Flips one bit in the signature over this RRset: validators must find it bogus. */
        public Builder corruptSignature(String owner, int type) {
            faults.put(key(name(owner), type), Fault.CORRUPT);
            return this;
        }

        /** Signs this RRset with a signature that expired two days ago. */
        public Builder expiredSignature(String owner, int type) {
            faults.put(key(name(owner), type), Fault.EXPIRED);
            return this;
        }

        public SignedTestZone build() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                KeyPair key = generator.generateKeyPair();
                DNSKEYRecord dnskey = new DNSKEYRecord(apex, DClass.IN, 3600,
                        DNSKEYRecord.Flags.ZONE_KEY | DNSKEYRecord.Flags.SEP_KEY, DNSKEYRecord.Protocol.DNSSEC,
                        ALGORITHM, key.getPublic());
                Zone zone = new Zone(apex, true);
                zone.put(dnskey);
                List<Zone> children = new ArrayList<>();
                for (Name child : insecureChildren) {
                    children.add(new Zone(child, false));
                    zone.put(DnsReplies.records(child + " 300 IN NS ns." + child).toArray(new Record[0]));
                }
                for (Record record : records) {
                    Zone home = zone;
                    for (Zone child : children) {
                        if (record.getName().subdomain(child.apex)) {
                            home = child;
                        }
                    }
                    home.put(record);
                }
                addNsecChain(zone);
                sign(zone, dnskey, key, children);
                return new SignedTestZone(zone, children,
                        new DSRecord(apex, DClass.IN, 3600, DNSSEC.Digest.SHA256, dnskey));
            } catch (GeneralSecurityException | DNSSEC.DNSSECException e) {
                throw new IllegalStateException("cannot sign the test zone " + apex, e);
            }
        }

        private static void addNsecChain(Zone zone) {
            List<Name> names = new ArrayList<>(zone.owners.keySet());
            for (int i = 0; i < names.size(); i++) {
                Name owner = names.get(i);
                Set<Integer> types = new HashSet<>(zone.owners.get(owner).keySet());
                types.add(Type.NSEC);
                types.add(Type.RRSIG);
                int[] bitmap = types.stream().mapToInt(Integer::intValue).sorted().toArray();
                zone.put(new NSECRecord(owner, DClass.IN, 60, names.get((i + 1) % names.size()), bitmap));
            }
        }

        private void sign(Zone zone, DNSKEYRecord dnskey, KeyPair key, List<Zone> children)
                throws DNSSEC.DNSSECException {
            Instant now = Instant.now();
            for (Map.Entry<Name, Map<Integer, RRset>> owner : zone.owners.entrySet()) {
                boolean delegation = children.stream().anyMatch(child -> child.apex.equals(owner.getKey()));
                for (RRset set : owner.getValue().values()) {
                    if (delegation && set.getType() == Type.NS) {
                        continue; // the parent does not sign the child's NS records
                    }
                    Fault fault = faults.get(key(set.getName(), set.getType()));
                    boolean expired = fault == Fault.EXPIRED;
                    RRSIGRecord sig = DNSSEC.sign(set, dnskey, key.getPrivate(),
                            expired ? now.minus(Duration.ofDays(30)) : now.minus(Duration.ofDays(1)),
                            expired ? now.minus(Duration.ofDays(2)) : now.plus(Duration.ofDays(30)));
                    set.addRR(fault == Fault.CORRUPT ? flipBit(sig) : sig);
                }
            }
        }

        private static RRSIGRecord flipBit(RRSIGRecord sig) {
            byte[] signature = sig.getSignature();
            signature[signature.length / 2] ^= 0x01;
            return new RRSIGRecord(sig.getName(), sig.getDClass(), sig.getTTL(), sig.getTypeCovered(),
                    sig.getAlgorithm(), sig.getOrigTTL(), sig.getExpire(), sig.getTimeSigned(), sig.getFootprint(),
                    sig.getSigner(), signature);
        }

        private static String key(Name owner, int type) {
            return owner.toString().toLowerCase(Locale.ROOT) + "/" + type;
        }
    }
}
