package dev.mailtls.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The answer to one question (name and type) after CNAMEs were followed, with its DNSSEC
 * {@link DnsStatus} and a reason a person can read. Immutable.
 *
 * <p>A secure or insecure answer says whether the name exists ({@link Kind}); NXDOMAIN and NODATA
 * are answers, not errors (RFC 7672 §2.1.1). A bogus or indeterminate answer carries no records:
 * nothing in it can be trusted. Each CNAME hop keeps its own status ({@link #aliases()}), which
 * decides the TLSA base domains of RFC 7672 §2.2.2.
 */
public final class DnsAnswer {
    /** What the answer says about the name. */
    public enum Kind {
        /** Records of the requested type exist at {@link #canonicalName()}. */
        RECORDS,
        /** The name exists but has no records of the requested type (NODATA). */
        NO_DATA,
        /** The name does not exist (NXDOMAIN). */
        NO_SUCH_NAME,
        /** The lookup failed (bogus or indeterminate): nothing is known. */
        FAILED
    }

    /** One CNAME hop, {@code owner -> target}, with the DNSSEC status it was learned under. */
    public static final class Alias {
        private final Name owner;
        private final Name target;
        private final DnsStatus status;

        Alias(Name owner, Name target, DnsStatus status) {
            this.owner = owner;
            this.target = target;
            this.status = status;
        }

        public Name owner() {
            return owner;
        }

        public Name target() {
            return target;
        }

        public DnsStatus status() {
            return status;
        }

        Alias withStatus(DnsStatus newStatus) {
            return new Alias(owner, target, newStatus);
        }

        @Override
        public String toString() {
            return owner + " CNAME " + target + " (" + status + ")";
        }
    }

    private final Name name;
    private final int type;
    private final DnsStatus status;
    private final Kind kind;
    private final String reason;
    private final List<Alias> aliases;
    private final Name canonicalName;
    private final List<Record> records;
    private final long ttlSeconds;

    DnsAnswer(Name name, int type, DnsStatus status, Kind kind, String reason, List<Alias> aliases,
            Name canonicalName, List<Record> records, long ttlSeconds) {
        this.name = name;
        this.type = type;
        this.status = status;
        this.kind = kind;
        this.reason = reason;
        this.aliases = Collections.unmodifiableList(new ArrayList<Alias>(aliases));
        this.canonicalName = canonicalName;
        this.records = Collections.unmodifiableList(new ArrayList<Record>(records));
        this.ttlSeconds = ttlSeconds;
    }

    /** A failed lookup: {@code status} must be {@link DnsStatus#BOGUS} or {@link DnsStatus#INDETERMINATE}. */
    static DnsAnswer failed(Name name, int type, DnsStatus status, String reason) {
        if (status.isAnswer()) {
            throw new IllegalArgumentException("a failed lookup cannot be " + status);
        }
        return new DnsAnswer(name, type, status, Kind.FAILED, reason, Collections.<Alias>emptyList(), name,
                Collections.<Record>emptyList(), 0);
    }

    /** The name that was asked for. */
    public Name name() {
        return name;
    }

    /** The record type that was asked for ({@link Type} constant). */
    public int type() {
        return type;
    }

    public DnsStatus status() {
        return status;
    }

    /** Whether this is a secure or insecure answer (which may still be NXDOMAIN or NODATA). */
    public boolean isAnswer() {
        return status.isAnswer();
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Why the answer has its status: the validator's reason, the resolver's extended DNS error, or
     * what was wrong with the reply. Never empty.
     */
    public String reason() {
        return reason;
    }

    /** The CNAME hops from {@link #name()} to {@link #canonicalName()}, in order; empty without CNAMEs. */
    public List<Alias> aliases() {
        return aliases;
    }

    /** The name at the end of the CNAME chain (the name itself without CNAMEs). */
    public Name canonicalName() {
        return canonicalName;
    }

    /** The records of the requested type at {@link #canonicalName()}; empty unless {@link Kind#RECORDS}. */
    public List<Record> records() {
        return records;
    }

    /** How long this answer may be reused, in seconds (0: not at all). */
    public long ttlSeconds() {
        return ttlSeconds;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(name).append('/').append(Type.string(type)).append(": ")
                .append(status);
        switch (kind) {
            case RECORDS:
                text.append(", ").append(records.size()).append(records.size() == 1 ? " record" : " records");
                break;
            case NO_DATA:
                text.append(", NODATA");
                break;
            case NO_SUCH_NAME:
                text.append(", NXDOMAIN");
                break;
            default:
                break;
        }
        for (Alias alias : aliases) {
            text.append("; ").append(alias);
        }
        return text.append(" (").append(reason).append(')').toString();
    }
}
