package dev.mailtls.cli;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.tls.ReferenceIdentifiers;
import dev.mailtls.tls.VerificationOutcome;
import dev.mailtls.tls.VerificationRequirement;
import java.io.IOException;
import java.io.PrintStream;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code verify --tlsa "U S M HEX" [--tlsa ...] [--name NAME ...] CHAIN.pem}: offline DANE
 * verification of a certificate chain (the server's certificate first) against TLSA records,
 * exactly as the agent verifies a live connection at the current time. The first {@code --name}
 * is taken as the TLSA base domain ({@code _25._tcp.NAME}); all names are reference identifiers
 * for DANE-TA records. Prints the matched record and its depth, or why nothing matched.
 */
final class VerifyCommand implements Command {
    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String synopsis() {
        return "--tlsa \"U S M HEX\" [--tlsa ...] [--name NAME ...] CHAIN.pem";
    }

    @Override
    public String summary() {
        return "Check a PEM chain (server certificate first) against TLSA records, offline.";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        List<TlsaRecord> records = new ArrayList<TlsaRecord>();
        List<String> names = new ArrayList<String>();
        String file = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--tlsa") || arg.equals("--name")) {
                if (i + 1 == args.size()) {
                    return usage(err, arg + " needs a value");
                }
                String value = args.get(++i);
                if (arg.equals("--name")) {
                    names.add(value);
                    continue;
                }
                try {
                    records.add(TlsaRecord.parse(value));
                } catch (IllegalArgumentException e) {
                    return usage(err, e.getMessage());
                }
            } else if (arg.startsWith("--")) {
                return usage(err, "unknown option " + arg);
            } else if (file == null) {
                file = arg;
            } else {
                return usage(err, "only one chain file, not \"" + file + "\" and \"" + arg + "\"");
            }
        }
        if (records.isEmpty()) {
            return usage(err, "give at least one --tlsa record");
        }
        if (file == null) {
            return usage(err, "give the chain file (PEM, server certificate first)");
        }
        TlsaSet.Builder tlsa = TlsaSet.builder().addAll(records);
        ReferenceIdentifiers references;
        try {
            if (!names.isEmpty()) {
                tlsa.baseDomain(names.get(0), 25);
            }
            references = ReferenceIdentifiers.of(names);
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        TlsaSet set = tlsa.build();
        if (names.isEmpty() && hasUsableTrustAnchorRecord(set)) {
            return usage(err, "DANE-TA (2 x x) records require a name check (RFC 7672 section 3.2.2); give the MX host or"
                    + " destination domain with --name");
        }
        List<X509Certificate> chain;
        try {
            chain = TlsaCommand.readCertificates(file);
        } catch (IOException | CertificateException e) {
            err.println("mailtls verify: cannot read certificates from " + file + ": " + e.getMessage());
            return USAGE;
        }
        if (chain.isEmpty()) {
            err.println("mailtls verify: " + file + " holds no PEM certificate");
            return USAGE;
        }
        for (Map.Entry<TlsaRecord, String> ignored : set.ignoredRecords().entrySet()) {
            out.println("ignored: " + ignored.getKey() + " (" + ignored.getValue() + ")");
        }
        if (!set.hasUsableRecords()) {
            out.println("not authenticated: no usable TLSA record; a DNSSEC-secure RRset like this one makes TLS mandatory"
                    + " but cannot authenticate (RFC 7672 section 2.2)");
            return NOT_COMPLIANT;
        }
        VerificationOutcome outcome = VerificationRequirement.dane(set, references).evaluate(chain);
        if (!outcome.isAuthenticated()) {
            out.println("not authenticated: " + outcome.failureMessage());
            return NOT_COMPLIANT;
        }
        out.println("authenticated: " + outcome.daneMatch()
                + (outcome.matchedName() == null ? "" : "; name " + outcome.matchedName()));
        return OK;
    }

    private static boolean hasUsableTrustAnchorRecord(TlsaSet set) {
        for (TlsaRecord record : set.usableRecords()) {
            if (record.usage() == TlsaRecord.USAGE_DANE_TA) {
                return true;
            }
        }
        return false;
    }

    private int usage(PrintStream err, String problem) {
        err.println("mailtls verify: " + problem + ". Usage: " + name() + " " + synopsis());
        return USAGE;
    }
}
