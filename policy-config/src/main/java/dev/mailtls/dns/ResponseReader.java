package dev.mailtls.dns;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Reads one DNS reply: its DNSSEC status (from the AD bit, the RCODE, extended DNS errors and the
 * validator's reason) and the CNAME chain inside it. Only records on the chain from the question
 * name are used; anything else in the answer section is ignored, so that a reply cannot smuggle
 * records for other names. A reply that contradicts itself is indeterminate.
 */
final class ResponseReader {
    /** EDE codes 1 to 12 are DNSSEC failures (RFC 8914 §4): a SERVFAIL carrying one is bogus. */
    private static final int LAST_DNSSEC_EDE = ExtendedErrorCodeOption.NSEC_MISSING;

    private final DnssecMode mode;

    ResponseReader(DnssecMode mode) {
        this.mode = mode;
    }

    /** What one reply says about a name, before any further queries. */
    static final class Reading {
        final DnsStatus status;
        final String reason;
        final DnsAnswer.Kind kind;
        final List<DnsAnswer.Alias> aliases;
        final Name end;
        final List<Record> records;
        final long ttlSeconds;
        /** The chain stopped at {@link #end} without saying anything about it: ask again there. */
        final boolean incomplete;

        Reading(DnsStatus status, String reason, DnsAnswer.Kind kind, List<DnsAnswer.Alias> aliases, Name end,
                List<Record> records, long ttlSeconds, boolean incomplete) {
            this.status = status;
            this.reason = reason;
            this.kind = kind;
            this.aliases = aliases;
            this.end = end;
            this.records = records;
            this.ttlSeconds = ttlSeconds;
            this.incomplete = incomplete;
        }

        static Reading failed(DnsStatus status, String reason) {
            return new Reading(status, reason, DnsAnswer.Kind.FAILED, new ArrayList<DnsAnswer.Alias>(), null,
                    new ArrayList<Record>(), 0, false);
        }
    }

    Reading read(Name name, int type, Message reply, Instant now) {
        int rcode = reply.getRcode();
        String detail = errorDetail(reply);
        if (!reply.getHeader().getFlag(Flags.QR)) {
            return Reading.failed(DnsStatus.INDETERMINATE, "malformed reply: the QR bit is not set");
        }
        if (rcode == Rcode.SERVFAIL) {
            // In validate mode the validator gives every SERVFAIL its reason, even one the upstream
            // server sent; both fail the lookup alike, only the wording differs.
            boolean dnssecFailure = hasDnssecError(reply) || (mode == DnssecMode.VALIDATE && detail != null);
            return Reading.failed(dnssecFailure ? DnsStatus.BOGUS : DnsStatus.INDETERMINATE,
                    "SERVFAIL" + (detail == null ? " without extended error" : ": " + detail)
                            + (dnssecFailure ? " (DNSSEC validation failed)" : " (resolver could not answer)"));
        }
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return Reading.failed(DnsStatus.INDETERMINATE,
                    Rcode.string(rcode) + (detail == null ? "" : ": " + detail) + " (resolver refused or failed)");
        }
        DnsStatus status = reply.getHeader().getFlag(Flags.AD) ? DnsStatus.SECURE : DnsStatus.INSECURE;
        String reason = statusReason(status, detail);
        return readChain(name, type, reply, rcode, status, reason, now);
    }

    private Reading readChain(Name name, int type, Message reply, int rcode, DnsStatus status, String reason,
            Instant now) {
        List<RRset> answer = reply.getSectionRRsets(Section.ANSWER);
        List<DnsAnswer.Alias> aliases = new ArrayList<DnsAnswer.Alias>();
        Set<Name> visited = new HashSet<Name>();
        Name current = name;
        long ttl = Long.MAX_VALUE;
        while (true) {
            if (!visited.add(current)) {
                return Reading.failed(DnsStatus.INDETERMINATE, "malformed reply: CNAME loop at " + current);
            }
            RRset data = null;
            RRset alias = null;
            for (RRset set : answer) {
                if (!set.getName().equals(current) || set.getType() == Type.RRSIG || set.getType() == Type.DNAME) {
                    // A DNAME is proven by the CNAME synthesized from it, which is on the chain.
                    continue;
                }
                if (set.getDClass() != DClass.IN) {
                    return unexpected(set, name, type);
                }
                if (set.getType() == type) {
                    data = set;
                } else if (set.getType() == Type.CNAME) {
                    alias = set;
                } else {
                    return unexpected(set, name, type);
                }
            }
            if (data != null && alias != null) {
                return Reading.failed(DnsStatus.INDETERMINATE,
                        "malformed reply: " + current + " has both a CNAME and " + Type.string(type) + " records");
            }
            if (data != null) {
                if (rcode != Rcode.NOERROR) {
                    return Reading.failed(DnsStatus.INDETERMINATE,
                            "malformed reply: NXDOMAIN with " + Type.string(type) + " records for " + current);
                }
                ttl = Math.min(ttl, data.getTTL());
                ttl = Math.min(ttl, signatureLifetime(answer, now));
                return new Reading(status, reason, DnsAnswer.Kind.RECORDS, aliases, current,
                        new ArrayList<Record>(data.rrs()), ttl, false);
            }
            if (alias == null) {
                return negative(reply, rcode, status, reason, aliases, current, ttl, now, answer);
            }
            if (alias.size() != 1) {
                return Reading.failed(DnsStatus.INDETERMINATE,
                        "malformed reply: " + alias.size() + " CNAME records for " + current);
            }
            Name target = ((CNAMERecord) alias.first()).getTarget();
            aliases.add(new DnsAnswer.Alias(current, target, status));
            ttl = Math.min(ttl, alias.getTTL());
            current = target;
        }
    }

    private Reading negative(Message reply, int rcode, DnsStatus status, String reason, List<DnsAnswer.Alias> aliases,
            Name end, long chainTtl, Instant now, List<RRset> answer) {
        long ttl = Math.min(chainTtl, signatureLifetime(answer, now));
        SOARecord soa = null;
        for (Record record : reply.getSection(Section.AUTHORITY)) {
            if (record instanceof SOARecord) {
                soa = (SOARecord) record;
            }
        }
        if (rcode == Rcode.NOERROR && soa == null && !aliases.isEmpty()) {
            // A resolver that stops following a chain gives neither data nor proof for its end.
            return new Reading(status, reason, DnsAnswer.Kind.NO_DATA, aliases, end, new ArrayList<Record>(),
                    ttl == Long.MAX_VALUE ? 0 : ttl, true);
        }
        // RFC 2308 §5: the negative TTL is the smaller of the SOA's TTL and MINIMUM; without an
        // SOA the negative answer must not be cached at all.
        long negativeTtl = soa == null ? 0 : Math.min(soa.getTTL(), soa.getMinimum());
        return new Reading(status, reason, rcode == Rcode.NXDOMAIN ? DnsAnswer.Kind.NO_SUCH_NAME : DnsAnswer.Kind.NO_DATA,
                aliases, end, new ArrayList<Record>(), Math.min(ttl, negativeTtl), false);
    }

    /** Seconds until the first signature in the answer expires: a cached answer must not outlive it. */
    private static long signatureLifetime(List<RRset> answer, Instant now) {
        long lifetime = Long.MAX_VALUE;
        for (RRset set : answer) {
            for (RRSIGRecord sig : set.sigs()) {
                lifetime = Math.min(lifetime, Math.max(0, sig.getExpire().getEpochSecond() - now.getEpochSecond()));
            }
        }
        return lifetime;
    }

    private static Reading unexpected(RRset set, Name name, int type) {
        return Reading.failed(DnsStatus.INDETERMINATE, "malformed reply: unexpected " + Type.string(set.getType())
                + " record (class " + DClass.string(set.getDClass()) + ") for " + set.getName() + " in the answer to "
                + name + "/" + Type.string(type));
    }

    private String statusReason(DnsStatus status, String detail) {
        if (mode == DnssecMode.VALIDATE) {
            return status == DnsStatus.SECURE ? "DNSSEC signatures validated from the configured trust anchors"
                    : "not DNSSEC-signed below the trust anchors" + (detail == null ? "" : ": " + detail);
        }
        return status == DnsStatus.SECURE ? "the local validating resolver set the AD bit"
                : "the local validating resolver did not set the AD bit (unsigned zone or insecure delegation)"
                        + (detail == null ? "" : ": " + detail);
    }

    private static boolean hasDnssecError(Message reply) {
        for (ExtendedErrorCodeOption ede : extendedErrors(reply)) {
            if (ede.getErrorCode() >= ExtendedErrorCodeOption.UNSUPPORTED_DNSKEY_ALGORITHM
                    && ede.getErrorCode() <= LAST_DNSSEC_EDE) {
                return true;
            }
        }
        return false;
    }

    /** The extended DNS errors and the validator's reason record, as text; {@code null} if there are none. */
    private static String errorDetail(Message reply) {
        StringBuilder text = new StringBuilder();
        for (ExtendedErrorCodeOption ede : extendedErrors(reply)) {
            append(text, "EDE " + ede.getErrorCode() + " (" + ExtendedErrorCodeOption.text(ede.getErrorCode()) + ")"
                    + (ede.getText() == null || ede.getText().isEmpty() ? "" : " " + ede.getText()));
        }
        for (Record record : reply.getSection(Section.ADDITIONAL)) {
            if (record instanceof TXTRecord && record.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS) {
                StringBuilder reason = new StringBuilder();
                for (String part : ((TXTRecord) record).getStrings()) {
                    reason.append(part);
                }
                if (text.indexOf(reason.toString()) < 0) {
                    append(text, reason.toString());
                }
            }
        }
        return text.length() == 0 ? null : text.toString();
    }

    private static void append(StringBuilder text, String part) {
        if (text.length() > 0) {
            text.append("; ");
        }
        text.append(part);
    }

    private static List<ExtendedErrorCodeOption> extendedErrors(Message reply) {
        List<ExtendedErrorCodeOption> errors = new ArrayList<ExtendedErrorCodeOption>();
        OPTRecord opt = reply.getOPT();
        if (opt != null) {
            for (EDNSOption option : opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
                if (option instanceof ExtendedErrorCodeOption) {
                    errors.add((ExtendedErrorCodeOption) option);
                }
            }
        }
        return errors;
    }
}
