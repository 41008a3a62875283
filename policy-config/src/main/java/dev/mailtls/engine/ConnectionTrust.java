package dev.mailtls.engine;

import dev.mailtls.log.TlsSummary;
import dev.mailtls.tls.PeerTrust;
import dev.mailtls.tls.VerificationOutcome;
import javax.net.ssl.SSLSocket;

/**
 * How far an established TLS connection is trusted under its requirement, and its one summary
 * line. Postfix's rule applies: a DANE match is {@code Verified} only when the MX lookup that led
 * to the host was DNSSEC-secure as well; behind an insecure MX lookup the same match is at best
 * {@code Trusted} (the host name itself could have been forged).
 */
public final class ConnectionTrust {
    private ConnectionTrust() {
    }

    /**
     * The trust word for {@code outcome} under {@code requirement}: {@link PeerTrust#UNTRUSTED}
     * when our trust manager checked nothing ({@code outcome} is {@code null}).
     */
    public static PeerTrust of(ConnectionRequirement requirement, VerificationOutcome outcome) {
        if (outcome == null) {
            return PeerTrust.UNTRUSTED;
        }
        if (outcome.peerTrust() == PeerTrust.VERIFIED && requirement.tlsa() != null && requirement.tlsa().insecureMx()) {
            return PeerTrust.TRUSTED;
        }
        return outcome.peerTrust();
    }

    /**
     * The summary line of the TLS connection {@code socket} to {@code host}[{@code address}]:{@code port}
     * under {@code requirement}, e.g. {@code Verified TLS connection established to mx.example.com[192.0.2.10]:25:
     * TLSv1.3 with cipher ...; DANE TLSA 3 1 1 ... matched end-entity key at depth 0}.
     */
    public static TlsSummary summary(ConnectionRequirement requirement, String host, String address, int port,
            SSLSocket socket) {
        VerificationOutcome outcome = VerificationOutcome.of(socket.getSession());
        TlsSummary.Builder summary = TlsSummary.builder().host(host).address(address).port(port)
                .session(socket.getSession()).reused(VerificationOutcome.isResumed(socket));
        if (outcome != null) {
            summary.outcome(outcome);
        }
        return summary.trust(of(requirement, outcome)).build();
    }
}
