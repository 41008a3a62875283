package dev.mailtls.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Replies a recursive resolver would send, for tests that script one: the header copied from the
 * query (ID, RD, question), RA set, and the AD bit as the test wants it.
 */
public final class DnsReplies {
    private DnsReplies() {
    }

    /** A NOERROR reply with these records (zone-file lines) in the answer section. */
    public static Message answer(Message query, boolean authenticated, String... answerRecords) {
        Message reply = skeleton(query, Rcode.NOERROR, authenticated);
        for (Record record : records(answerRecords)) {
            reply.addRecord(record, Section.ANSWER);
        }
        return reply;
    }

    /** A negative reply (NXDOMAIN or NODATA) with this SOA record (zone-file line) in the authority section. */
    public static Message negative(Message query, int rcode, boolean authenticated, String soa) {
        Message reply = skeleton(query, rcode, authenticated);
        for (Record record : records(soa)) {
            reply.addRecord(record, Section.AUTHORITY);
        }
        return reply;
    }

    /** A SERVFAIL, with an RFC 8914 extended error when {@code extendedError} is not null. */
    public static Message servfail(Message query, Integer extendedError, String text) {
        Message reply = skeleton(query, Rcode.SERVFAIL, false);
        if (extendedError != null) {
            reply.addRecord(new OPTRecord(1232, 0, 0, 0, new ExtendedErrorCodeOption(extendedError, text)),
                    Section.ADDITIONAL);
        }
        return reply;
    }

    public static Message skeleton(Message query, int rcode, boolean authenticated) {
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            reply.getHeader().setFlag(Flags.RD);
        }
        if (authenticated) {
            reply.getHeader().setFlag(Flags.AD);
        }
        reply.getHeader().setRcode(rcode);
        reply.addRecord(query.getQuestion(), Section.QUESTION);
        return reply;
    }

    /** Parses zone-file lines with absolute names. */
    public static List<Record> records(String... lines) {
        List<Record> records = new ArrayList<>();
        String text = String.join("\n", lines) + "\n";
        try (Master master = new Master(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), Name.root, 300)) {
            Record record;
            while ((record = master.nextRecord()) != null) {
                records.add(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("test records do not parse: " + text, e);
        }
        return records;
    }
}
