package dev.mailtls.dns;

import dev.mailtls.dane.TlsaRecord;
import java.util.List;

/** DNSSEC-secure TLSA lookup results made without DNS, for tests of what is built from them. */
public final class TestTlsaOutcomes {
    private TestTlsaOutcomes() {
    }

    /** A secure TLSA RRset for {@code host} on {@code port} with {@code records}, the host its own base domain. */
    public static TlsaOutcome secure(String host, int port, TlsaRecord... records) {
        String tlsaName = "_" + port + "._tcp." + host;
        return TlsaOutcome.secure(records.length + " secure TLSA records at " + tlsaName, tlsaName, host, List.of(records),
                List.of(host), false);
    }

    /** As {@link #secure}, but found through an MX lookup that was not DNSSEC-secure. */
    public static TlsaOutcome secureBehindInsecureMx(String host, int port, TlsaRecord... records) {
        String tlsaName = "_" + port + "._tcp." + host;
        return TlsaOutcome.secure(records.length + " secure TLSA records at " + tlsaName, tlsaName, host, List.of(records),
                List.of(host), true);
    }
}
