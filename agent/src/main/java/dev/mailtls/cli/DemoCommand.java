package dev.mailtls.cli;

import dev.mailtls.config.ConfigException;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.policy.PolicyMatch;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;

/**
 * {@code demo}: a self-contained demonstration on an embedded configuration. For now it shows how
 * the policy engine decides per destination; the live SMTP demonstration (in-process DNSSEC zone,
 * honest and attacking SMTP servers, an unmodified application with the agent attached) replaces
 * it when the agent's instrumentation lands.
 */
final class DemoCommand implements Command {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String synopsis() {
        return "";
    }

    @Override
    public String summary() {
        return "demonstrate policy decisions on an embedded configuration (nothing installed, nothing sent)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Properties embedded = new Properties();
        embedded.setProperty("mailtls.policy.bank.example", "dane-only action=reject");
        embedded.setProperty("mailtls.policy.*.partner.example", "secure");
        embedded.setProperty("mailtls.policy.legacy.example", "may");
        embedded.setProperty("mailtls.dns.servers", "127.0.0.1");
        MailTlsConfig config;
        try {
            config = ConfigLoader.withOverrides(embedded).loadWithoutFile();
        } catch (ConfigException bug) {
            err.println(bug.getMessage());
            return USAGE;
        }
        out.println("MailTLS Guard demo: how the policy engine decides, on this embedded configuration:");
        out.println();
        for (String line : new String[] {
            "mailtls.level = dane fallback=encrypt          (built-in default)",
            "mailtls.action = defer                         (built-in default)",
            "mailtls.policy.bank.example = dane-only action=reject",
            "mailtls.policy.*.partner.example = secure",
            "mailtls.policy.legacy.example = may",
        }) {
            out.println("  " + line);
        }
        out.println();
        ConfigCheckCommand.Table table = new ConfigCheckCommand.Table("DESTINATION", "POLICY", "WHY");
        for (String destination : new String[] {
            "bank.example", "smtp.eu.partner.example", "partner.example", "legacy.example", "Mail.Anywhere.example.",
        }) {
            PolicyMatch match = config.policies().match(destination);
            table.add(destination, match.policy().toString(), match.reason());
        }
        table.print(out, "  ");
        out.println();
        out.println("The live demonstration (an in-process DNSSEC-signed zone, honest, STARTTLS-stripping and");
        out.println("impostor SMTP servers, and an unmodified application with the agent attached) is not yet");
        out.println("available: it arrives with the agent's instrumentation (see README.md, Status).");
        return OK;
    }
}
