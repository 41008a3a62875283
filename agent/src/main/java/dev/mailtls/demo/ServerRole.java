package dev.mailtls.demo;

/**
 * The four SMTP servers of the demonstration, each under a host name of its own in the signed demo
 * zone: what it does with STARTTLS, which key it presents, and whether the zone publishes a TLSA
 * record for it (always the genuine server key's: DNS tells the truth, the path lies).
 */
enum ServerRole {
    HONEST("honest", DemoSmtpServer.StartTls.OFFERED, false, true,
            "STARTTLS with the genuine key, which its TLSA 3 1 1 record names"),
    STRIPPED("stripped", DemoSmtpServer.StartTls.STRIPPED, false, true,
            "publishes TLSA, but an on-path attacker strips STARTTLS (not in EHLO, 502 to STARTTLS)"),
    SUBSTITUTED("substituted", DemoSmtpServer.StartTls.OFFERED, true, true,
            "publishes TLSA for the genuine key, but an attacker answers STARTTLS with a key of its own"),
    NO_STARTTLS("legacy", DemoSmtpServer.StartTls.ABSENT, false, false,
            "no STARTTLS at all, and no TLSA record (securely denied by NSEC)");

    private final String label;
    private final DemoSmtpServer.StartTls startTls;
    private final boolean attackerKey;
    private final boolean publishesTlsa;
    private final String description;

    ServerRole(String label, DemoSmtpServer.StartTls startTls, boolean attackerKey, boolean publishesTlsa,
            String description) {
        this.label = label;
        this.startTls = startTls;
        this.attackerKey = attackerKey;
        this.publishesTlsa = publishesTlsa;
        this.description = description;
    }

    /** The server's host name under the demo zone's apex (given without the final dot). */
    String hostname(String zone) {
        return label + "." + zone;
    }

    DemoSmtpServer.StartTls startTls() {
        return startTls;
    }

    /** Whether the server presents the attacker's key instead of the genuine one. */
    boolean attackerKey() {
        return attackerKey;
    }

    /** Whether the zone has a TLSA record {@code 3 1 1} of the genuine key at {@code _PORT._tcp.HOST}. */
    boolean publishesTlsa() {
        return publishesTlsa;
    }

    String description() {
        return description;
    }
}
