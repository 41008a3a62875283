package dev.mailtls.cli;

import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dns.HostLookup;
import dev.mailtls.dns.MxHost;
import dev.mailtls.dns.MxLookup;
import dev.mailtls.engine.ConnectionRequirement;
import dev.mailtls.engine.PolicyEngine;
import dev.mailtls.policy.PolicyMatch;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * {@code check [--config FILE] DESTINATION[:port]}, MailTLS Guard's {@code posttls-finger}: resolves
 * the destination as the policy would (MX for a domain; the host itself for {@code host:port} or
 * {@code [host]:port}), prints every DNS answer with its DNSSEC state and the TLSA records, then
 * probes each server with EHLO and STARTTLS, verifies it per policy and quits before MAIL FROM.
 * Exit 0 when the destination complies (its first server that can be used does), 1 when not.
 */
final class CheckCommand implements Command {
    @Override
    public String name() {
        return "check";
    }

    @Override
    public String synopsis() {
        return "[--config FILE] DESTINATION[:port]";
    }

    @Override
    public String summary() {
        return "resolve DESTINATION (a mail domain, or [host]:port), probe its servers, verify them per policy";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        String file = null;
        String destination = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--config") && i + 1 < args.size()) {
                file = args.get(++i);
            } else if (destination == null && !args.get(i).startsWith("-")) {
                destination = args.get(i);
            } else {
                err.println("usage: check [--config FILE] DESTINATION[:port]");
                return USAGE;
            }
        }
        if (destination == null) {
            err.println("usage: check [--config FILE] DESTINATION[:port]");
            return USAGE;
        }
        MailTlsConfig config = CommandConfig.load(file, err);
        if (config == null) {
            return USAGE;
        }
        Route route;
        try {
            route = Route.parse(destination);
        } catch (IllegalArgumentException malformed) {
            err.println("check: " + malformed.getMessage());
            return USAGE;
        }
        try (PolicyEngine engine = PolicyEngine.create(config)) {
            return route.mx ? checkDomain(engine, route, out) : checkHost(engine, route, out);
        } catch (IOException | GeneralSecurityException unusable) {
            err.println("check: the trust store " + config.tls().trustStorePath() + " is unusable: " + unusable.getMessage());
            return USAGE;
        }
    }

    private static int checkDomain(PolicyEngine engine, Route route, PrintStream out) {
        PolicyMatch match = engine.match(route.name);
        out.println("Destination " + match.destination() + ": policy " + match.policy() + " (" + match.reason() + ")");
        MxLookup mx = engine.destinations().lookupMx(route.name);
        out.println("MX " + route.name + ": " + mx.status() + ", " + mx.reason());
        if (mx.kind() != MxLookup.Kind.HOSTS) {
            out.println("Verdict: " + route.name + " DOES NOT COMPLY: " + (mx.kind() == MxLookup.Kind.DEFER
                    ? "the MX lookup failed; mail would be deferred" : "it accepts no mail (" + mx.kind() + ")"));
            return NOT_COMPLIANT;
        }
        SmtpProbe probe = new SmtpProbe(engine, out);
        for (MxHost host : mx.hosts()) {
            out.println("  MX " + host.preference() + " " + host.name());
            ConnectionRequirement requirement = engine.forMxHost(match, host, route.port);
            if (probeHost(engine, probe, requirement, out)) {
                out.println("Verdict: " + route.name + " complies with its policy, via " + host.name());
                return OK;
            }
        }
        out.println("Verdict: " + route.name + " DOES NOT COMPLY: no MX host can be used under its policy; mail would be "
                + (match.policy().action().configName().equals("reject") ? "rejected" : "deferred"));
        return NOT_COMPLIANT;
    }

    private static int checkHost(PolicyEngine engine, Route route, PrintStream out) {
        PolicyMatch match = engine.match(route.name);
        out.println("Destination " + match.destination() + ":" + route.port + ": policy " + match.policy() + " ("
                + match.reason() + ")");
        ConnectionRequirement requirement = engine.forHost(match, route.name, route.port);
        boolean complies = probeHost(engine, new SmtpProbe(engine, out), requirement, out);
        out.println("Verdict: " + route.name + ":" + route.port + (complies ? " complies with its policy" : " DOES NOT COMPLY"));
        return complies ? OK : NOT_COMPLIANT;
    }

    /** Prints the host's DNS answers and requirement, then probes its addresses in order until one complies. */
    private static boolean probeHost(PolicyEngine engine, SmtpProbe probe, ConnectionRequirement requirement, PrintStream out) {
        // The policy's own DNS view, whatever the level: the diagnosis shows what DANE would see.
        HostLookup lookup = engine.destinations().lookupHost(requirement.host(), requirement.port());
        StringBuilder addresses = new StringBuilder();
        for (InetAddress address : lookup.addresses()) {
            addresses.append(addresses.length() == 0 ? "" : ", ").append(address.getHostAddress());
        }
        out.println("    addresses " + (addresses.length() == 0 ? "none" : addresses) + " (" + lookup.addressReason() + ")");
        if (requirement.tlsa() != null) {
            out.println("    TLSA " + requirement.tlsa().tlsaName() + ": " + requirement.tlsa().reason());
            for (TlsaRecord record : requirement.tlsa().records()) {
                out.println("      " + record + (record.isUsableForSmtp() ? "" : "  (unusable: " + record.unusableReason() + ")"));
            }
        }
        out.println("    requirement: " + requirement);
        if (requirement.kind() == ConnectionRequirement.Kind.REFUSED) {
            out.println("    " + requirement.host() + ": DOES NOT COMPLY: " + requirement.reason());
            return false;
        }
        for (InetAddress address : lookup.addresses()) {
            if (probe.complies(requirement, address)) {
                return true;
            }
        }
        return false;
    }

    /** {@code example.com} (MX lookup, port 25), {@code host:port} or {@code [host]:port} (no MX lookup). */
    static final class Route {
        final String name;
        final int port;
        final boolean mx;

        private Route(String name, int port, boolean mx) {
            this.name = name;
            this.port = port;
            this.mx = mx;
        }

        static Route parse(String text) {
            String name = text;
            int port = 25;
            boolean mx = true;
            if (name.startsWith("[")) {
                int close = name.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("missing ] in " + text);
                }
                String rest = name.substring(close + 1);
                name = name.substring(1, close);
                mx = false;
                if (!rest.isEmpty()) {
                    port = port(rest.startsWith(":") ? rest.substring(1) : rest, text);
                }
            } else if (name.indexOf(':') >= 0) {
                port = port(name.substring(name.indexOf(':') + 1), text);
                name = name.substring(0, name.indexOf(':'));
                mx = false;
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("no destination in " + text);
            }
            return new Route(name, port, mx);
        }

        private static int port(String value, String text) {
            try {
                int port = Integer.parseInt(value);
                if (port > 0 && port < 65536) {
                    return port;
                }
            } catch (NumberFormatException notANumber) {
                // reported below
            }
            throw new IllegalArgumentException("\"" + value + "\" in " + text + " is not a port number");
        }
    }
}
