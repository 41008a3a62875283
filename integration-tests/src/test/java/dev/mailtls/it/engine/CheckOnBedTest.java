package dev.mailtls.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.cli.Main;
import dev.mailtls.it.bed.BedProperties;
import dev.mailtls.it.bed.TestBed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every RFC 7672 outcome of the policy engine, end to end on the bed's real Knot, Unbound and
 * Postfix, through {@code mailtls check}: DNS answers with their DNSSEC state, the effective
 * requirement, the STARTTLS handshake verified per policy, the verdict and the exit code. Each
 * case runs in both DNS modes: {@code validate} (signatures checked here, from the bed's trust
 * anchor) and {@code trust-ad} (Unbound's AD bit, over loopback).
 */
class CheckOnBedTest {
    private static TestBed bed;

    @TempDir
    Path dir;

    private String output;
    private String errors;

    @BeforeAll
    static void startBed() {
        bed = TestBed.shared();
    }

    private int check(String mode, String destination, String... settings) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "mailtls.dns.servers = " + bed.properties().getProperty(BedProperties.RESOLVER),
                "mailtls.dns.dnssec = " + mode,
                "mailtls.dns.trust-anchors = " + bed.properties().getProperty(BedProperties.TRUST_ANCHOR_DS_FILE),
                "mailtls.dns.timeout = 3s",
                "mailtls.tls.trust-store = " + bed.certificates().caFile()));
        for (String setting : settings) {
            // A test's own setting replaces the bed default of the same key.
            String key = setting.substring(0, setting.indexOf('=')).trim();
            lines.removeIf(line -> line.startsWith(key + " ="));
            lines.add(setting);
        }
        Path config = dir.resolve("mailtls.properties");
        Files.write(config, lines);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(List.of("check", "--config", config.toString(), destination),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        output = out.toString(StandardCharsets.UTF_8);
        errors = err.toString(StandardCharsets.UTF_8);
        return exit;
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void daneEeRecordMatchesAndIsVerified(String mode) throws IOException {
        assertThat(check(mode, "dane-ok.test", "mailtls.level = dane-only")).as(output + errors).isZero();
        assertThat(output).contains("MX dane-ok.test: secure")
                .contains("TLSA _25._tcp.mx.dane-ok.test")
                .containsPattern("Verified TLS connection established to mx\\.dane-ok\\.test\\[127\\.0\\.0\\.2\\]:25: TLSv1\\.[23] with cipher .*; DANE TLSA 3 1 1 [0-9A-F]{8}")
                .contains("Verdict: dane-ok.test complies with its policy, via mx.dane-ok.test")
                .doesNotContain("MAIL FROM");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void daneTaRecordMatchesTheSentCaAndTheNameIsChecked(String mode) throws IOException {
        assertThat(check(mode, "dane-ta.test", "mailtls.level = dane-only")).as(output + errors).isZero();
        assertThat(output).containsPattern("Verified TLS connection established to mx\\.dane-ta\\.test.*DANE TLSA 2 1 1 [0-9A-F]{8}.* at depth 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void tlsaMismatchDoesNotComply(String mode) throws IOException {
        assertThat(check(mode, "dane-mismatch.test", "mailtls.level = dane")).as(output + errors).isEqualTo(1);
        assertThat(output).contains("DANE: no TLSA record of _25._tcp.mx.dane-mismatch.test matched")
                .contains("Verdict: dane-mismatch.test DOES NOT COMPLY");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void onlyUnusableTlsaRecordsMeanTlsWithoutAuthenticationAndRefuseDaneOnly(String mode) throws IOException {
        assertThat(check(mode, "dane-unusable.test", "mailtls.level = dane")).as(output + errors).isZero();
        assertThat(output).contains("effective=encrypt").contains("are unusable: TLS without authentication")
                .contains("(unusable: usage 1 (PKIX-EE) is not usable for SMTP");

        assertThat(check(mode, "dane-unusable.test", "mailtls.level = dane-only")).isEqualTo(1);
        assertThat(output).contains("effective=refused (dane-only requires usable DNSSEC-secure TLSA records, but all");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void secureDenialOfTlsaGivesTheFallback(String mode) throws IOException {
        assertThat(check(mode, "no-dane.test", "mailtls.level = dane fallback=encrypt")).as(output + errors).isZero();
        assertThat(output).contains("effective=encrypt").contains("fallback encrypt");

        assertThat(check(mode, "no-dane.test", "mailtls.level = dane-only")).isEqualTo(1);
        assertThat(output).contains("dane-only requires usable DNSSEC-secure TLSA records");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void insecureDelegationIgnoresItsTlsaRecords(String mode) throws IOException {
        assertThat(check(mode, "insecure.test", "mailtls.level = dane fallback=encrypt")).as(output + errors).isZero();
        assertThat(output).contains("MX insecure.test: insecure").contains("effective=encrypt")
                .contains("TLS connection established to mx.insecure.test").doesNotContain("Verified TLS connection");

        assertThat(check(mode, "insecure.test", "mailtls.level = dane-only")).isEqualTo(1);
        assertThat(output).contains("dane-only requires a DNSSEC-secure MX lookup");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void bogusTlsaSignatureMakesTheHostUnusable(String mode) throws IOException {
        assertThat(check(mode, "bogus-tlsa.test", "mailtls.level = dane")).as(output + errors).isEqualTo(1);
        assertThat(output).contains("effective=refused (TLSA lookup error").contains("bogus");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void expiredTlsaSignatureMakesTheHostUnusable(String mode) throws IOException {
        assertThat(check(mode, "expired-tlsa.test", "mailtls.level = dane")).as(output + errors).isEqualTo(1);
        assertThat(output).contains("effective=refused (TLSA lookup error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void bogusMxSignatureDefersTheDestination(String mode) throws IOException {
        assertThat(check(mode, "bogus-mx.test", "mailtls.level = dane")).as(output + errors).isEqualTo(1);
        assertThat(output).contains("MX bogus-mx.test: bogus").contains("the MX lookup failed; mail would be deferred");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void resolverTimeoutDefersTheDestination(String mode) throws IOException {
        assertThat(check(mode, "dane-ok.test", "mailtls.level = dane", "mailtls.dns.timeout = 1s",
                "mailtls.dns.servers = " + bed.properties().getProperty(BedProperties.BLACK_HOLE))).as(output + errors).isEqualTo(1);
        assertThat(output).contains("MX dane-ok.test: indeterminate").contains("mail would be deferred");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void mismatchingFirstMxFallsBackToTheSecond(String mode) throws IOException {
        assertThat(check(mode, "mx-fallback.test", "mailtls.level = dane-only")).as(output + errors).isZero();
        assertThat(output).contains("MX 10 mx.dane-mismatch.test").contains("DANE: no TLSA record of _25._tcp.mx.dane-mismatch.test matched")
                .contains("MX 20 mx.dane-ok.test").contains("complies with its policy, via mx.dane-ok.test");
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "trust-ad"})
    void cnameExpandedMxUsesTheTargetsTlsa(String mode) throws IOException {
        assertThat(check(mode, "cname.test", "mailtls.level = dane-only")).as(output + errors).isZero();
        assertThat(output).contains("TLSA _25._tcp.mx.dane-ok.test").contains("Verified TLS connection established to mx.cname.test");
    }

    @Test
    void certificateSelectorAndSha512AreMatched() throws IOException {
        assertThat(check("validate", "dane-ee-cert.test", "mailtls.level = dane-only")).as(output + errors).isZero();
        assertThat(output).containsPattern("Verified TLS connection .*DANE TLSA 3 0 2 [0-9A-F]{8}");
    }

    @Test
    void serverWithoutStartTlsDoesNotComply() throws IOException {
        assertThat(check("validate", "no-tls.test", "mailtls.level = dane")).isEqualTo(1);
        assertThat(output).contains("STARTTLS not offered, but TLS is required");
    }

    @Test
    void strippedStartTlsDoesNotComply() throws IOException {
        assertThat(check("validate", "starttls-strip.test", "mailtls.level = dane")).isEqualTo(1);
        assertThat(output).contains("STARTTLS not offered, but TLS is required");
    }

    @Test
    void refusedStartTlsDoesNotComply() throws IOException {
        assertThat(check("validate", "starttls-fail.test", "mailtls.level = dane")).isEqualTo(1);
        assertThat(output).contains("STARTTLS refused: 454");
    }

    @Test
    void pkixVerifyAndSecureCheckTheNames() throws IOException {
        assertThat(check("validate", "[mx.dane-ok.test]:25", "mailtls.level = verify")).as(output + errors).isZero();
        assertThat(output).contains("Verified TLS connection established to mx.dane-ok.test");

        assertThat(check("validate", "no-dane.test", "mailtls.level = secure")).as(output + errors).isZero();
        assertThat(output).contains("effective=secure");
    }

    @Test
    void pkixFailsWithoutTheCaInTheTrustStore() throws IOException {
        Path otherCa = dir.resolve("empty.pem");
        Files.writeString(otherCa, bed.certificates().caFile().equals(otherCa) ? "" : pemOfJdkRoot());

        assertThat(check("validate", "[mx.dane-ok.test]:25", "mailtls.level = verify",
                "mailtls.tls.trust-store = " + otherCa)).as(output + errors).isEqualTo(1);
        assertThat(output).contains("PKIX");
    }

    /** Some CA certificate that did not sign the bed's: the JDK's first trusted root. */
    private static String pemOfJdkRoot() {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            try (var in = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
                store.load(in, null);
            }
            java.security.cert.Certificate root = store.getCertificate(store.aliases().nextElement());
            return "-----BEGIN CERTIFICATE-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(root.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void usageErrorsExitWith2() throws IOException {
        assertThat(check("validate", "[mx.dane-ok.test]:notaport")).isEqualTo(2);
        assertThat(errors).contains("is not a port number");
    }
}
