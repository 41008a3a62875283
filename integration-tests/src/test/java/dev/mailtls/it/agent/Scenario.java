package dev.mailtls.it.agent;

import dev.mailtls.it.bed.MxEndpoint;
import dev.mailtls.it.bed.TestDomains;
import java.util.ArrayList;
import java.util.List;

/**
 * One message a sample application sends in a run of several: to {@code user@DOMAIN} through
 * {@code host} ({@code mx.DOMAIN}) on {@code port}, in the application's TLS {@code style}, with
 * or without credentials, and what must come of it. Each destination host has its own rule in
 * {@link #RULES}, so one agent configuration serves every scenario of a run: one JVM per sender
 * and Java version instead of one per scenario.
 */
record Scenario(String name, String host, int port, String style, boolean credentials, Expect expect) {
    /** The user name and password the scenarios with credentials send; the password must never show. */
    static final String USER = "mailer";
    static final String PASSWORD = "s3cret-password";

    /** The agent configuration of every scenario run: a rule per destination host. */
    static final List<String> RULES = List.of(
            "mailtls.level = dane-only",
            "mailtls.policy.mx." + TestDomains.DANE_OK + " = dane-only",
            "mailtls.policy.mx." + TestDomains.STARTTLS_STRIP + " = dane-only",
            "mailtls.policy.mx." + TestDomains.DANE_MISMATCH + " = dane-only",
            "mailtls.policy.mx." + TestDomains.DANE_MISMATCH_2 + " = dane-only action=reject",
            "mailtls.policy.mx." + TestDomains.DANE_MISMATCH_3 + " = dane-only action=audit",
            "mailtls.policy.mx." + TestDomains.NO_DANE + " = none",
            "mailtls.policy.mx." + TestDomains.NO_TLS + " = may",
            "mailtls.policy.mx." + TestDomains.DANE_TA + " = may",
            "mailtls.policy.mx." + TestDomains.INSECURE + " = dane fallback=encrypt",
            "mailtls.policy.mx." + TestDomains.BOGUS_TLSA + " = dane",
            "mailtls.policy.mx." + TestDomains.CLIENT_CERT + " = dane-only");

    /** The common name of the client certificate that the own-factory scenarios present. */
    static final String CLIENT_NAME = "app.client.test";

    /** What a scenario must come to, given its host's rule in {@link #RULES}. */
    enum Expect {
        /** Sent; the agent logs a Verified DANE connection; the message arrives over TLS. */
        DANE_VERIFIED("DANE-verified delivery arrives over TLS"),
        /** {@code 454 4.7.4}, nothing arrives (the proxy's log is checked for the whole run). */
        STARTTLS_STRIPPED("stripped STARTTLS defers with 4.7.4"),
        /** {@code 454 4.7.5} naming the TLSA records, although the certificate is valid for a trusted CA. */
        TLSA_MISMATCH("TLSA mismatch with a CA-valid certificate defers with 4.7.5"),
        /** {@code 554 5.7.5}: {@code action=reject}. */
        REJECTED("reject gives a permanent 5.7.5"),
        /** Sent over TLS in spite of the mismatch, with an AUDIT warning: {@code action=audit}. */
        AUDITED("audit delivers and says so"),
        /** Sent in plaintext, as Postfix would ({@code none} with STARTTLS offered, {@code may} without). */
        PLAINTEXT("plaintext delivery, as Postfix would"),
        /** Sent over TLS without authentication: {@code may} where STARTTLS is offered. */
        OPPORTUNISTIC_TLS("opportunistic TLS where STARTTLS is offered, as Postfix would"),
        /** Sent over TLS: {@code dane fallback=encrypt} where the zone is not signed. */
        FALLBACK_ENCRYPT("dane falls back to encrypt without secure TLSA"),
        /** {@code 454 4.7.5 TLSA lookup error} before any connection: a bogus DNSSEC answer. */
        TLSA_LOOKUP_ERROR("bogus TLSA defers before connecting"),
        /** Sent over DANE; Postfix verified the application's client certificate. */
        CLIENT_CERTIFICATE("the application's client certificate is presented"),
        /** Sent over DANE without a client certificate, and a warning says why. */
        CLIENT_CERTIFICATE_UNREADABLE("a factory that cannot be read loses its client certificate, with a warning"),
        /** Sent over DANE; the application has no client certificate, none is presented. */
        NO_CLIENT_CERTIFICATE("no client certificate where the application has none"),
        /**
         * {@code 454 4.7.5} naming the factory class that cannot be made, nothing arrives: the
         * library itself would fail the connection too.
         */
        FACTORY_CLASS_UNUSABLE("a factory class that cannot be made fails the connection, as without the agent"),
        /**
         * {@code 454 4.7.5} naming the plain socket factory class that made a TLS socket: the
         * connection fails before it is made, nothing reaches the MX, no AUTH.
         */
        PLAIN_FACTORY_MADE_TLS("a plain socket factory class handing out TLS sockets fails before connecting");

        private final String description;

        Expect(String description) {
            this.description = description;
        }

        /** Whether the message must arrive. */
        boolean delivers() {
            return switch (this) {
                case STARTTLS_STRIPPED, TLSA_MISMATCH, REJECTED, TLSA_LOOKUP_ERROR, FACTORY_CLASS_UNUSABLE,
                        PLAIN_FACTORY_MADE_TLS -> false;
                default -> true;
            };
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** The recipient's domain: the host without its {@code mx.}. */
    String domain() {
        return host.substring("mx.".length());
    }

    /** The argument that tells the sample application about this scenario: {@code NAME,HOST,PORT,STYLE[,USER,PASSWORD]}. */
    String spec() {
        return name + "," + host + "," + port + "," + style + (credentials ? "," + USER + "," + PASSWORD : "");
    }

    private static Scenario of(String name, String domain, int port, String style, boolean credentials, Expect expect) {
        return new Scenario(name, "mx." + domain, port, style, credentials, expect);
    }

    /**
     * Every outcome the policy can give a STARTTLS connection, in the application's {@code style}:
     * DANE delivery and stripped STARTTLS with credentials (the strip proxy offers AUTH as bait),
     * TLSA mismatch, reject, audit, {@code none}, {@code may} with and without STARTTLS, the
     * {@code dane} fallback and a bogus TLSA answer.
     */
    static List<Scenario> startTlsOutcomes(String style) {
        return List.of(
                of("dane", TestDomains.DANE_OK, MxEndpoint.SMTP_PORT, style, true, Expect.DANE_VERIFIED),
                of("strip", TestDomains.STARTTLS_STRIP, MxEndpoint.SMTP_PORT, style, true, Expect.STARTTLS_STRIPPED),
                of("mismatch", TestDomains.DANE_MISMATCH, MxEndpoint.SMTP_PORT, style, false, Expect.TLSA_MISMATCH),
                of("reject", TestDomains.DANE_MISMATCH_2, MxEndpoint.SMTP_PORT, style, false, Expect.REJECTED),
                of("audit", TestDomains.DANE_MISMATCH_3, MxEndpoint.SMTP_PORT, style, false, Expect.AUDITED),
                of("none", TestDomains.NO_DANE, MxEndpoint.SMTP_PORT, style, false, Expect.PLAINTEXT),
                of("may-no-starttls", TestDomains.NO_TLS, MxEndpoint.SMTP_PORT, style, false, Expect.PLAINTEXT),
                of("may-starttls", TestDomains.DANE_TA, MxEndpoint.SMTP_PORT, style, false, Expect.OPPORTUNISTIC_TLS),
                of("dane-fallback", TestDomains.INSECURE, MxEndpoint.SMTP_PORT, style, false, Expect.FALLBACK_ENCRYPT),
                of("bogus-tlsa", TestDomains.BOGUS_TLSA, MxEndpoint.SMTP_PORT, style, false, Expect.TLSA_LOOKUP_ERROR));
    }

    /** Implicit TLS on port 465 in {@code style}: DANE delivery, and a TLSA mismatch refused after one connection. */
    static List<Scenario> implicitTls(String style) {
        return List.of(
                of(style + "-dane", TestDomains.DANE_OK, MxEndpoint.SMTPS_PORT, style, false, Expect.DANE_VERIFIED),
                of(style + "-mismatch", TestDomains.DANE_MISMATCH, MxEndpoint.SMTPS_PORT, style, false, Expect.TLSA_MISMATCH));
    }

    /** DANE delivery and stripped STARTTLS in a further STARTTLS {@code style} of the application's. */
    static List<Scenario> startTlsStyle(String style) {
        return List.of(
                of(style + "-dane", TestDomains.DANE_OK, MxEndpoint.SMTP_PORT, style, true, Expect.DANE_VERIFIED),
                of(style + "-strip", TestDomains.STARTTLS_STRIP, MxEndpoint.SMTP_PORT, style, true, Expect.STARTTLS_STRIPPED));
    }

    /**
     * To the MXs that ask for client certificates (STARTTLS at {@code mx.client-cert.test}, implicit
     * TLS at {@code mx.dane-ok.test:465}): the application's own TLS socket factory with a client
     * certificate as an object (style {@code own-factory}) and named by class in each property the
     * library reads ({@code factory-class}, {@code ssl-factory-class}, {@code smtps-factory-class});
     * the same inside a wrapper class the agent cannot read, as an object and named by class
     * ({@code wrapped-factory}, {@code wrapped-factory-class}); no factory of the application's
     * ({@code starttls}); a factory class that no class loader knows ({@code missing-factory-class});
     * and, with credentials, a plain socket factory class whose sockets are TLS sockets trusting
     * anything, on the implicit-TLS listener ({@code tls-in-plain-factory-class}).
     */
    static List<Scenario> clientCertificates() {
        return List.of(
                of("client-cert", TestDomains.CLIENT_CERT, MxEndpoint.SMTP_PORT, "own-factory", false, Expect.CLIENT_CERTIFICATE),
                of("client-cert-wrapped", TestDomains.CLIENT_CERT, MxEndpoint.SMTP_PORT, "wrapped-factory", false,
                        Expect.CLIENT_CERTIFICATE_UNREADABLE),
                of("client-cert-none", TestDomains.CLIENT_CERT, MxEndpoint.SMTP_PORT, "starttls", false,
                        Expect.NO_CLIENT_CERTIFICATE),
                of("client-cert-class", TestDomains.CLIENT_CERT, MxEndpoint.SMTP_PORT, "factory-class", false,
                        Expect.CLIENT_CERTIFICATE),
                of("client-cert-class-wrapped", TestDomains.CLIENT_CERT, MxEndpoint.SMTP_PORT, "wrapped-factory-class", false,
                        Expect.CLIENT_CERTIFICATE_UNREADABLE),
                of("client-cert-ssl-class", TestDomains.DANE_OK, MxEndpoint.SMTPS_PORT, "ssl-factory-class", false,
                        Expect.CLIENT_CERTIFICATE),
                of("client-cert-smtps-class", TestDomains.DANE_OK, MxEndpoint.SMTPS_PORT, "smtps-factory-class", false,
                        Expect.CLIENT_CERTIFICATE),
                of("client-cert-class-missing", TestDomains.DANE_OK, MxEndpoint.SMTP_PORT, "missing-factory-class", false,
                        Expect.FACTORY_CLASS_UNUSABLE),
                of("tls-in-plain-factory", TestDomains.DANE_OK, MxEndpoint.SMTPS_PORT, "tls-in-plain-factory-class", true,
                        Expect.PLAIN_FACTORY_MADE_TLS));
    }

    /** An application that turns STARTTLS off ({@code mail.smtp.starttls.enable=false}) is overruled. */
    static Scenario startTlsTurnedOff() {
        return of("starttls-off", TestDomains.DANE_OK, MxEndpoint.SMTP_PORT, "notls", false, Expect.DANE_VERIFIED);
    }

    /** This scenario for an application that sends without credentials. */
    Scenario withoutCredentials() {
        return new Scenario(name, host, port, style, false, expect);
    }

    @SafeVarargs
    static List<Scenario> all(List<Scenario>... groups) {
        List<Scenario> all = new ArrayList<>();
        for (List<Scenario> group : groups) {
            all.addAll(group);
        }
        return all;
    }

    @Override
    public String toString() {
        return name + " (" + host + ":" + port + ", " + style + (credentials ? ", with credentials" : "") + "): " + expect;
    }
}
