package dev.mailtls.dns;

import dev.mailtls.testing.SignedTestZone;
import org.xbill.DNS.Type;

/** The signed zone {@code test.} that the validate-mode tests resolve against, one name per case. */
final class TestZones {
    /** A SHA2-256 digest: 32 bytes in hex, the data of a usable {@code 3 1 1} record. */
    static final String DIGEST = "8ccf4ba33b4ca4dc2e4de77cd7b5e3cde2b83ef6bf5b6de57e0f5e9ef2c8f1a0";

    private TestZones() {
    }

    static SignedTestZone standard() {
        return SignedTestZone.builder("test.")
                .records(
                        "secure.test. 300 IN MX 20 mx-b.secure.test.",
                        "secure.test. 300 IN MX 10 mx.secure.test.",
                        "secure.test. 300 IN MX 30 mx.secure.test.",
                        "mx.secure.test. 300 IN A 127.0.0.2",
                        "mx.secure.test. 300 IN AAAA ::2",
                        "_25._tcp.mx.secure.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "mx-b.secure.test. 300 IN A 127.0.0.3",
                        "nomx.test. 300 IN A 127.0.0.4",
                        "nullmx.test. 300 IN MX 0 .",
                        "bogusmx.test. 300 IN MX 10 mx.secure.test.",
                        "mx.bogus-tlsa.test. 300 IN A 127.0.0.5",
                        "_25._tcp.mx.bogus-tlsa.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "mx.expired-tlsa.test. 300 IN A 127.0.0.6",
                        "_25._tcp.mx.expired-tlsa.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "mx.pkix.test. 300 IN A 127.0.0.7",
                        "_25._tcp.mx.pkix.test. 300 IN TLSA 1 1 1 " + DIGEST,
                        "mx.notlsa.test. 300 IN A 127.0.0.8",
                        "mail.cname.test. 300 IN CNAME mx.target.test.",
                        "mx.target.test. 300 IN A 127.0.0.9",
                        "_25._tcp.mx.target.test. 300 IN TLSA 2 1 1 " + DIGEST,
                        "mail2.cname.test. 300 IN CNAME mx.notlsa.test.",
                        "_25._tcp.mail2.cname.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "mail.half.test. 300 IN CNAME mx.insecure.test.",
                        "_25._tcp.mail.half.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "mx.tlsa-alias.test. 300 IN A 127.0.0.11",
                        "_25._tcp.mx.tlsa-alias.test. 300 IN CNAME shared.tlsa-pool.test.",
                        "shared.tlsa-pool.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "insecure.test. 300 IN MX 10 mx.secure.test.",
                        "mx.insecure.test. 300 IN A 127.0.0.10",
                        "_25._tcp.mx.insecure.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "alias.insecure.test. 300 IN CNAME mx.secure.test.")
                .insecureDelegation("insecure.test.")
                .corruptSignature("bogusmx.test.", Type.MX)
                .corruptSignature("_25._tcp.mx.bogus-tlsa.test.", Type.TLSA)
                .expiredSignature("_25._tcp.mx.expired-tlsa.test.", Type.TLSA)
                .build();
    }
}
