package dev.mailtls.it.bed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;

/**
 * One DNS query the bed uses to see whether Knot and Unbound are ready: with the DO bit
 * (Unbound reports AD only then) and never the CD bit (which would hide bogus answers).
 */
final class DnsProbe {

  private DnsProbe() {}

  /** The reply, or null if none came within {@code timeout}. */
  static Message query(InetSocketAddress server, String name, int type, boolean recursion, Duration timeout) {
    try {
      SimpleResolver resolver = new SimpleResolver(server);
      resolver.setTimeout(timeout);
      resolver.setEDNS(0, 1232, ExtendedFlags.DO, List.of());
      Message query = Message.newQuery(Record.newRecord(SignedTestZone.name(name), type, DClass.IN));
      if (!recursion) {
        query.getHeader().unsetFlag(Flags.RD);
      }
      return resolver.send(query);
    } catch (IOException e) {
      return null;
    }
  }

  /** A NOERROR reply with the given header flag set (AA for Knot, AD for Unbound). */
  static boolean answersWithFlag(InetSocketAddress server, String name, int type, boolean recursion, int flag) {
    Message reply = query(server, name, type, recursion, Duration.ofMillis(500));
    return reply != null && reply.getRcode() == Rcode.NOERROR && reply.getHeader().getFlag(flag);
  }
}
