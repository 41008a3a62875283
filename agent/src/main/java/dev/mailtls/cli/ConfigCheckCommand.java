package dev.mailtls.cli;

import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.config.Setting;
import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyRule;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code config-check FILE}: validates a configuration file and prints the effective policy. */
final class ConfigCheckCommand implements Command {
    @Override
    public String name() {
        return "config-check";
    }

    @Override
    public String synopsis() {
        return "FILE";
    }

    @Override
    public String summary() {
        return "validate a configuration file and print the effective policy table and settings";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1) {
            err.println("usage: config-check FILE");
            return USAGE;
        }
        String file = args.get(0);
        MailTlsConfig config = CommandConfig.load(file, err);
        if (config == null) {
            return USAGE;
        }
        out.println(file + ": valid");
        out.println();
        out.println("Policy table (an exact name beats *.parent, the longest parent wins, * is the default):");
        Table rules = new Table("DESTINATION", "LEVEL", "ATTRIBUTES", "ACTION", "FROM");
        for (PolicyRule rule : config.policies().rules()) {
            DestinationPolicy policy = rule.policy();
            String from = Origins.shorten(rule.policyOrigin(), file);
            String actionFrom = Origins.shorten(rule.actionOrigin(), file);
            rules.add(rule.pattern(), policy.level().configName(),
                    policy.daneFallback() == null ? "" : "fallback=" + policy.daneFallback().configName(),
                    policy.action().configName(), from + (actionFrom.equals(from) ? "" : "; action: " + actionFrom));
        }
        rules.print(out, "  ");
        out.println();
        out.println("Settings:");
        Table settings = new Table("KEY", "VALUE", "FROM");
        for (Setting setting : config.settings()) {
            settings.add(setting.key(), setting.value(), Origins.shorten(setting.origin(), file));
        }
        settings.print(out, "  ");
        return OK;
    }

    /** Left-aligned columns as wide as their widest cell. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void add(String... cells) {
            rows.add(cells);
        }

        void print(PrintStream out, String indent) {
            int[] widths = new int[rows.get(0).length];
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder(indent);
                for (int i = 0; i < row.length; i++) {
                    line.append(row[i]);
                    if (i < row.length - 1) {
                        for (int pad = row[i].length(); pad < widths[i] + 2; pad++) {
                            line.append(' ');
                        }
                    }
                }
                out.println(line.toString().replaceAll("\\s+$", ""));
            }
        }
    }
}
