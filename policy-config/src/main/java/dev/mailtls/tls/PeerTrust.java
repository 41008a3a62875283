package dev.mailtls.tls;

/**
 * How far a server's certificate was trusted, in Postfix's closed vocabulary (the first word of
 * its {@code TLS connection established} log line). Log parsers depend on these words.
 *
 * <ul>
 *   <li>{@link #ANONYMOUS}: the server presented no certificate.</li>
 *   <li>{@link #UNTRUSTED}: a certificate was presented but is not trusted.</li>
 *   <li>{@link #TRUSTED}: the chain is valid (a CA of the trust store, or a DANE-TA record) but
 *       the connection is not secured by it: the name did not match, or the level ({@code may},
 *       {@code encrypt}) did not require authentication.</li>
 *   <li>{@link #VERIFIED}: authenticated as the level requires: a DANE match, or PKIX plus a name
 *       match at {@code verify}/{@code secure}.</li>
 * </ul>
 */
public enum PeerTrust {
    ANONYMOUS("Anonymous"),
    UNTRUSTED("Untrusted"),
    TRUSTED("Trusted"),
    VERIFIED("Verified");

    private final String logWord;

    PeerTrust(String logWord) {
        this.logWord = logWord;
    }

    /** The capitalised word Postfix logs, e.g. {@code Verified}. */
    public String logWord() {
        return logWord;
    }

    @Override
    public String toString() {
        return logWord;
    }
}
