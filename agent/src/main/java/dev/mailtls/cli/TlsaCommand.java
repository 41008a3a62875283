package dev.mailtls.cli;

import dev.mailtls.dane.TlsaRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code tlsa [--usage 3] [--selector 1] [--mtype 1] CERT.pem}: prints the TLSA record data an
 * operator publishes for a certificate, e.g. {@code 3 1 1 94085C...}. The default {@code 3 1 1}
 * (DANE-EE, public key, SHA2-256) survives certificate renewals that keep the key. For a PEM file
 * holding a chain, the first certificate (the server's own) is used.
 */
final class TlsaCommand implements Command {
    @Override
    public String name() {
        return "tlsa";
    }

    @Override
    public String synopsis() {
        return "[--usage 3] [--selector 1] [--mtype 1] CERT.pem";
    }

    @Override
    public String summary() {
        return "Print the TLSA record (\"3 1 1 HEX\") to publish for a certificate.";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        int usage = TlsaRecord.USAGE_DANE_EE;
        int selector = TlsaRecord.SELECTOR_SPKI;
        int matchingType = TlsaRecord.MATCHING_SHA256;
        String file = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--usage") || arg.equals("--selector") || arg.equals("--mtype")) {
                if (i + 1 == args.size()) {
                    return usage(err, arg + " needs a number");
                }
                Integer value = number(args.get(++i));
                if (value == null) {
                    return usage(err, arg + " must be a number, not \"" + args.get(i) + "\"");
                }
                if (arg.equals("--usage")) {
                    usage = value;
                } else if (arg.equals("--selector")) {
                    selector = value;
                } else {
                    matchingType = value;
                }
            } else if (arg.startsWith("--")) {
                return usage(err, "unknown option " + arg);
            } else if (file == null) {
                file = arg;
            } else {
                return usage(err, "only one certificate file, not \"" + file + "\" and \"" + arg + "\"");
            }
        }
        if (file == null) {
            return usage(err, "give the certificate file (PEM)");
        }
        if (usage < 0 || usage > 255) {
            return usage(err, "--usage must be 0 to 255, not " + usage);
        }
        if (selector != TlsaRecord.SELECTOR_CERT && selector != TlsaRecord.SELECTOR_SPKI) {
            return usage(err, "--selector must be 0 (whole certificate) or 1 (public key), not " + selector);
        }
        if (matchingType < TlsaRecord.MATCHING_FULL || matchingType > TlsaRecord.MATCHING_SHA512) {
            return usage(err, "--mtype must be 0 (full), 1 (SHA2-256) or 2 (SHA2-512), not " + matchingType);
        }
        List<X509Certificate> certificates;
        try {
            certificates = readCertificates(file);
        } catch (IOException | CertificateException e) {
            err.println("mailtls tlsa: cannot read certificates from " + file + ": " + e.getMessage());
            return USAGE;
        }
        if (certificates.isEmpty()) {
            err.println("mailtls tlsa: " + file + " holds no PEM certificate");
            return USAGE;
        }
        TlsaRecord record = TlsaRecord.forCertificate(usage, selector, matchingType, certificates.get(0));
        if (!record.isUsableForSmtp()) {
            err.println("mailtls tlsa: warning: " + record.unusableReason() + "; SMTP clients will ignore this record");
        }
        out.println(record);
        return OK;
    }

    /** Every certificate of a PEM (or DER) file, in file order; shared with {@link VerifyCommand}. */
    static List<X509Certificate> readCertificates(String file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(Paths.get(file))) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> result = new ArrayList<X509Certificate>();
            for (Certificate certificate : certificates) {
                result.add((X509Certificate) certificate);
            }
            return result;
        }
    }

    private static Integer number(String text) {
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private int usage(PrintStream err, String problem) {
        err.println("mailtls tlsa: " + problem + ". Usage: " + name() + " " + synopsis());
        return USAGE;
    }
}
