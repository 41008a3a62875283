package dev.mailtls.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path config(String... lines) throws IOException {
        Path file = dir.resolve("mailtls.properties");
        Files.writeString(file, String.join("\n", lines));
        return file;
    }

    @Test
    void configCheckPrintsThePolicyTableWithOrigins() throws IOException {
        Path file = config(
                "mailtls.action = reject",
                "mailtls.policy.example.com = dane-only",
                "mailtls.policy.*.example.org = verify action=audit",
                "mailtls.dns.servers = 127.0.0.1:5301");

        assertThat(run("config-check", file.toString())).isEqualTo(0);

        assertThat(out()).startsWith(file + ": valid");
        assertThat(out()).containsPattern("\\*\\.example\\.org +verify +audit +line 3\\n");
        assertThat(out()).containsPattern("example\\.com +dane-only +reject +line 2; action: mailtls\\.action \\(line 1\\)\\n");
        assertThat(out()).containsPattern("\\* +dane +fallback=encrypt +reject +built-in default; action: mailtls\\.action \\(line 1\\)");
        assertThat(out()).containsPattern("mailtls\\.dns\\.servers +127\\.0\\.0\\.1:5301 +line 4");
        assertThat(out()).containsPattern("mailtls\\.dns\\.timeout +5s +built-in default");
        assertThat(err()).isEmpty();
    }

    @Test
    void configCheckRejectsABrokenFileWithExitCode2AndNoStackTrace() throws IOException {
        Path file = config("mailtls.level = dane", "mailtls.policy.example.com = dane-onyl");

        assertThat(run("config-check", file.toString())).isEqualTo(2);

        assertThat(err()).contains(file + ":2: mailtls.policy.example.com = \"dane-onyl\": unknown level")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(out()).isEmpty();
    }

    @Test
    void configCheckAcceptsTheShippedExample() {
        assertThat(run("config-check", Path.of("..", "docs", "mailtls.properties.example").toString())).as(err()).isEqualTo(0);
        assertThat(out()).containsPattern("example\\.com +dane-only +defer +line \\d+");
    }

    @Test
    void policyExplainsTheWinningRuleAndWhatItBeat() throws IOException {
        Path file = config(
                "mailtls.policy.*.example.org = verify",
                "mailtls.policy.*.eu.example.org = secure action=reject");

        assertThat(run("policy", file.toString(), "MX.eu.example.org.")).isEqualTo(0);

        assertThat(out()).contains("Destination: mx.eu.example.org (given as MX.eu.example.org.)")
                .contains("Rule:        mailtls.policy.*.eu.example.org = secure  (line 2)")
                .contains("Why:         no exact rule; longest matching parent *.eu.example.org")
                .contains("also matching, but less specific: *.example.org (line 1), * (built-in default)")
                .contains("Policy:      secure action=reject  (action: line 2)")
                .contains("naming the next-hop domain");
    }

    @Test
    void policyForAnUnlistedDestinationShowsTheDefault() throws IOException {
        Path file = config("mailtls.level = dane");

        assertThat(run("policy", file.toString(), "gmail.com")).isEqualTo(0);

        assertThat(out()).contains("Rule:        mailtls.level = dane fallback=may  (line 1)")
                .contains("Why:         no rule matches gmail.com; default level");
    }

    @Test
    void wrongArgumentCountIsAUsageError() {
        assertThat(run("policy", "only-one")).isEqualTo(2);
        assertThat(err()).contains("usage: policy FILE DESTINATION");
    }

    @Test
    void unknownCommandListsTheCommands() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err()).contains("unknown command \"frobnicate\"; commands: config-check, policy, check, verify, tlsa, attach, demo");
    }

    @Test
    void helpAndVersionSucceed() {
        assertThat(run("help")).isEqualTo(0);
        assertThat(out()).contains("config-check FILE").contains("Exit codes: 0 ok, 1 not compliant");
        assertThat(run("--version")).isEqualTo(0);
        assertThat(out()).contains("MailTLS Guard ");
    }

    @Test
    void demoRunsFromThePackagedAgentJarOnly() {
        // From target/classes there is no jar to attach; DemoIT runs the demo on the packaged jar.
        assertThat(run("demo")).isEqualTo(2);
        assertThat(err()).contains("runs from the agent jar only");
    }
}
