package dev.mailtls.demo;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The demonstration's DNS data: one zone, signed at start-up with a fresh ECDSA P-256 key
 * (algorithm 13) and NSEC records for authenticated denial, answered as its authoritative server
 * would. Its DS record ({@link #trustAnchor()}) is the only trust anchor the agent gets, so an
 * answer counts as DNSSEC-secure exactly when its signatures chain to it, as on the Internet.
 * Immutable once signed.
 */
final class DemoZone {
    private static final long TTL = 300;
    /** The EDNS payload size of DNS Flag Day 2020, as the agent's resolver also uses. */
    private static final int EDNS_PAYLOAD_SIZE = 1232;

    private final Name apex;
    /** RRsets (records and their RRSIG) by owner, in DNSSEC canonical order, which the NSEC chain follows. */
    private final TreeMap<Name, Map<Integer, RRset>> owners;
    private final DSRecord ds;

    private DemoZone(Name apex, TreeMap<Name, Map<Integer, RRset>> owners, DSRecord ds) {
        this.apex = apex;
        this.owners = owners;
        this.ds = ds;
    }

    /**
     * Signs a zone at {@code apex} holding {@code records} (absolute names below the apex) plus its
     * SOA, NS and DNSKEY records. Signatures are valid from a day ago for 30 days.
     */
    static DemoZone sign(Name apex, List<Record> records) throws GeneralSecurityException, DNSSEC.DNSSECException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        DNSKEYRecord dnskey = new DNSKEYRecord(apex, DClass.IN, TTL, DNSKEYRecord.Flags.ZONE_KEY | DNSKEYRecord.Flags.SEP_KEY,
                DNSKEYRecord.Protocol.DNSSEC, DNSSEC.Algorithm.ECDSAP256SHA256, key.getPublic());
        Name nameServer = Name.fromConstantString("ns." + apex);
        List<Record> all = new ArrayList<Record>(records);
        all.add(new SOARecord(apex, DClass.IN, TTL, nameServer, Name.fromConstantString("hostmaster." + apex), 1, 3600, 600,
                86400, 60));
        all.add(new NSRecord(apex, DClass.IN, TTL, nameServer));
        all.add(dnskey);

        TreeMap<Name, Map<Integer, RRset>> owners = new TreeMap<Name, Map<Integer, RRset>>();
        for (Record record : all) {
            put(owners, record);
        }
        List<Name> names = new ArrayList<Name>(owners.keySet());
        for (int i = 0; i < names.size(); i++) {
            Set<Integer> types = new LinkedHashSet<Integer>(owners.get(names.get(i)).keySet());
            types.add(Type.NSEC);
            types.add(Type.RRSIG);
            int[] bitmap = new int[types.size()];
            int next = 0;
            for (int type : types) {
                bitmap[next++] = type;
            }
            put(owners, new NSECRecord(names.get(i), DClass.IN, TTL, names.get((i + 1) % names.size()), bitmap));
        }

        Instant now = Instant.now();
        for (Map<Integer, RRset> sets : owners.values()) {
            for (RRset set : sets.values()) {
                RRSIGRecord signature = DNSSEC.sign(set, dnskey, key.getPrivate(), now.minus(Duration.ofDays(1)),
                        now.plus(Duration.ofDays(30)));
                set.addRR(signature);
            }
        }
        return new DemoZone(apex, owners, new DSRecord(apex, DClass.IN, TTL, DNSSEC.Digest.SHA256, dnskey));
    }

    private static void put(TreeMap<Name, Map<Integer, RRset>> owners, Record record) {
        Map<Integer, RRset> sets = owners.get(record.getName());
        if (sets == null) {
            sets = new LinkedHashMap<Integer, RRset>();
            owners.put(record.getName(), sets);
        }
        RRset set = sets.get(record.getType());
        if (set == null) {
            set = new RRset();
            sets.put(record.getType(), set);
        }
        set.addRR(record);
    }

    Name apex() {
        return apex;
    }

    /** The zone's DS record in zone-file format: the agent's {@code mailtls.dns.trust-anchors}. */
    String trustAnchor() {
        return ds + "\n";
    }

    /**
     * The authoritative reply to {@code query}: the RRset asked for, or NODATA / NXDOMAIN with the
     * SOA. With the DO bit set, RRSIGs come along and a denial carries the NSEC records that prove
     * it (for NXDOMAIN also that no wildcard could have matched). Names outside the zone are REFUSED.
     */
    Message answer(Message query) {
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            reply.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        if (question == null) {
            reply.getHeader().setRcode(Rcode.FORMERR);
            return reply;
        }
        reply.addRecord(question, Section.QUESTION);
        OPTRecord opt = query.getOPT();
        boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
        if (opt != null) {
            reply.addRecord(new OPTRecord(EDNS_PAYLOAD_SIZE, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        Name name = question.getName();
        if (question.getDClass() != DClass.IN || !name.subdomain(apex)) {
            reply.getHeader().setRcode(Rcode.REFUSED);
            return reply;
        }
        RRset data = rrset(name, question.getType());
        if (data != null) {
            add(reply, Section.ANSWER, data, dnssecOk);
            return reply;
        }
        boolean exists = exists(name);
        reply.getHeader().setRcode(exists ? Rcode.NOERROR : Rcode.NXDOMAIN);
        add(reply, Section.AUTHORITY, rrset(apex, Type.SOA), dnssecOk);
        if (dnssecOk) {
            Set<Name> proofs = new LinkedHashSet<Name>();
            if (exists) {
                // NODATA: the name's own NSEC lists its types; an empty non-terminal is covered by its predecessor's.
                proofs.add(owners.containsKey(name) ? name : covering(name));
            } else {
                proofs.add(covering(name));
                proofs.add(covering(wildcardOf(closestEncloser(name))));
            }
            for (Name owner : proofs) {
                add(reply, Section.AUTHORITY, rrset(owner, Type.NSEC), true);
            }
        }
        return reply;
    }

    private RRset rrset(Name name, int type) {
        Map<Integer, RRset> sets = owners.get(name);
        return sets == null ? null : sets.get(type);
    }

    /** Whether {@code name} owns records or has descendants that do (an empty non-terminal exists too). */
    private boolean exists(Name name) {
        Name next = owners.ceilingKey(name);
        return next != null && next.subdomain(name);
    }

    private Name closestEncloser(Name name) {
        Name encloser = name;
        while (!exists(encloser)) {
            encloser = new Name(encloser, 1);
        }
        return encloser;
    }

    private static Name wildcardOf(Name encloser) {
        try {
            return Name.concatenate(Name.fromConstantString("*"), encloser);
        } catch (NameTooLongException impossible) {
            throw new IllegalStateException("no wildcard fits below " + encloser, impossible);
        }
    }

    /** The owner whose NSEC record covers {@code name}: the last one before it, wrapping around. */
    private Name covering(Name name) {
        Name before = owners.lowerKey(name);
        return before != null ? before : owners.lastKey();
    }

    private static void add(Message reply, int section, RRset set, boolean withSignatures) {
        for (Record record : set.rrs()) {
            reply.addRecord(record, section);
        }
        if (withSignatures) {
            for (RRSIGRecord signature : set.sigs()) {
                reply.addRecord(signature, section);
            }
        }
    }
}
