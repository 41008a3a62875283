package dev.mailtls.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaneCommandsTest {
    @TempDir
    static Path directory;

    static KeytoolChain chain;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void makeCertificates() throws Exception {
        chain = KeytoolChain.create(directory, "mx.example.com");
    }

    private int run(Command command, String... args) {
        return command.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tlsaPrintsDaneEeSpkiSha256RecordByDefault() throws Exception {
        int exit = run(new TlsaCommand(), chain.serverPem.toString());

        assertThat(exit).isZero();
        assertThat(out()).isEqualTo("3 1 1 " + KeytoolChain.sha256(chain.server, 1) + System.lineSeparator());
        assertThat(err()).isEmpty();
    }

    @Test
    void tlsaPrintsChosenUsageSelectorAndMatchingType() throws Exception {
        int exit = run(new TlsaCommand(), "--usage", "2", "--selector", "0", "--mtype", "1", chain.serverPem.toString());

        assertThat(exit).isZero();
        assertThat(out().trim()).isEqualTo("2 0 1 " + KeytoolChain.sha256(chain.server, 0));
    }

    @Test
    void tlsaWarnsAboutRecordsSmtpClientsIgnore() {
        int exit = run(new TlsaCommand(), "--usage", "1", chain.serverPem.toString());

        assertThat(exit).isZero();
        assertThat(out()).startsWith("1 1 1 ");
        assertThat(err()).contains("warning: usage 1 (PKIX-EE) is not usable for SMTP");
    }

    @Test
    void tlsaRejectsBadArgumentsWithUsageExitCode() {
        assertThat(run(new TlsaCommand(), "--selector", "5", chain.serverPem.toString())).isEqualTo(Command.USAGE);
        assertThat(run(new TlsaCommand(), "--mtype", "x", chain.serverPem.toString())).isEqualTo(Command.USAGE);
        assertThat(run(new TlsaCommand())).isEqualTo(Command.USAGE);
        assertThat(run(new TlsaCommand(), directory.resolve("missing.pem").toString())).isEqualTo(Command.USAGE);
        assertThat(err()).contains("--selector must be 0 (whole certificate) or 1 (public key), not 5")
                .contains("--mtype must be a number, not \"x\"")
                .contains("give the certificate file (PEM)")
                .contains("cannot read certificates from")
                .doesNotContain("Exception");
        assertThat(out()).isEmpty();
    }

    @Test
    void verifyAuthenticatesDaneEeMatchAtDepthZero() throws Exception {
        String record = "3 1 1 " + KeytoolChain.sha256(chain.server, 1);

        int exit = run(new VerifyCommand(), "--tlsa", record, chain.chainPem.toString());

        assertThat(exit).isEqualTo(Command.OK);
        assertThat(out().trim()).isEqualTo("authenticated: TLSA " + record + " matched end-entity key at depth 0");
    }

    @Test
    void verifyAuthenticatesDaneTaMatchWithNameCheck() throws Exception {
        String record = "2 0 1 " + KeytoolChain.sha256(chain.ca, 0);

        int exit = run(new VerifyCommand(), "--tlsa", record, "--name", "mx.example.com", "--name", "example.com",
                chain.chainPem.toString());

        assertThat(exit).isEqualTo(Command.OK);
        assertThat(out().trim()).isEqualTo("authenticated: TLSA " + record + " matched trust-anchor certificate at depth 1;"
                + " name mx.example.com");
    }

    @Test
    void verifyFailsDaneTaWithWrongNameAndSaysWhy() throws Exception {
        int exit = run(new VerifyCommand(), "--tlsa", "2 1 1 " + KeytoolChain.sha256(chain.ca, 1), "--name", "mail.example.net",
                chain.chainPem.toString());

        assertThat(exit).isEqualTo(Command.NOT_COMPLIANT);
        assertThat(out()).contains("not authenticated: DANE: TLSA 2 1 1")
                .contains("the server certificate's names [mx.example.com] match none of the expected names [mail.example.net]");
    }

    @Test
    void verifyFailsMismatchShowingObservedAndExpected() throws Exception {
        String wrong = "3 1 1 " + "AB".repeat(32);

        int exit = run(new VerifyCommand(), "--tlsa", wrong, "--name", "mx.example.com", chain.chainPem.toString());

        assertThat(exit).isEqualTo(Command.NOT_COMPLIANT);
        assertThat(out().trim()).startsWith("not authenticated: DANE: no TLSA record of _25._tcp.mx.example.com matched; depth 0 SPKI sha256 = "
                + KeytoolChain.sha256(chain.server, 1) + "; expected: " + wrong);
    }

    @Test
    void verifyReportsIgnoredRecordsAndFailsWhenNoneIsUsable() throws Exception {
        int exit = run(new VerifyCommand(), "--tlsa", "3 1 1 ABCD", "--tlsa", "1 1 1 " + KeytoolChain.sha256(chain.server, 1),
                chain.chainPem.toString());

        assertThat(exit).isEqualTo(Command.NOT_COMPLIANT);
        assertThat(out()).contains("ignored: 3 1 1 ABCD (SHA2-256 data must be 32 bytes, not 2)")
                .contains("ignored: 1 1 1 ")
                .contains("not authenticated: no usable TLSA record");
    }

    @Test
    void verifyRequiresNameForTrustAnchorRecords() throws Exception {
        int exit = run(new VerifyCommand(), "--tlsa", "2 0 1 " + KeytoolChain.sha256(chain.ca, 0), chain.chainPem.toString());

        assertThat(exit).isEqualTo(Command.USAGE);
        assertThat(err()).contains("DANE-TA (2 x x) records require a name check").contains("--name");
    }

    @Test
    void verifyRejectsMalformedArgumentsWithUsageExitCode() throws Exception {
        Path empty = Files.writeString(directory.resolve("empty.pem"), "");

        assertThat(run(new VerifyCommand(), "--tlsa", "3 1 1 XYZ", chain.chainPem.toString())).isEqualTo(Command.USAGE);
        assertThat(run(new VerifyCommand(), chain.chainPem.toString())).isEqualTo(Command.USAGE);
        assertThat(run(new VerifyCommand(), "--tlsa", "3 1 1 AB", "--bogus", chain.chainPem.toString())).isEqualTo(Command.USAGE);
        assertThat(run(new VerifyCommand(), "--tlsa", "3 1 1 AB", empty.toString())).isEqualTo(Command.USAGE);
        assertThat(err()).contains("odd number of hex digits")
                .contains("give at least one --tlsa record")
                .contains("unknown option --bogus")
                .contains("holds no PEM certificate")
                .doesNotContain("\tat ");
        assertThat(out()).isEmpty();
    }
}
