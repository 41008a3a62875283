package dev.mailtls.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.dns.DnssecMode;
import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.TlsLevel;
import dev.mailtls.queue.QueueSettings;
import dev.mailtls.queue.RetrySchedule;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private final Properties overrides = new Properties();
    private List<InetSocketAddress> systemResolvers = List.of(new InetSocketAddress("127.0.0.53", 53));

    private ConfigLoader loader() {
        return new ConfigLoader(overrides, () -> systemResolvers);
    }

    private Path file(String... lines) throws IOException {
        Path file = dir.resolve("mailtls.properties");
        Files.write(file, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private MailTlsConfig load(String... lines) throws Exception {
        return loader().load(file(lines));
    }

    private ConfigException rejected(String... lines) throws IOException {
        Path file = file(lines);
        try {
            loader().load(file);
        } catch (ConfigException expected) {
            return expected;
        }
        throw new AssertionError("configuration was accepted: " + String.join(" / ", lines));
    }

    @Test
    void withoutFileTheConservativeDefaultsApply() throws Exception {
        MailTlsConfig config = loader().loadWithoutFile();

        assertThat(config.policies().match("mx.anywhere.example").policy())
                .isEqualTo(DestinationPolicy.dane(TlsLevel.ENCRYPT, PolicyAction.DEFER));
        assertThat(config.dns().servers()).containsExactly(new InetSocketAddress("127.0.0.53", 53));
        assertThat(config.dns().dnssecMode()).isEqualTo(DnssecMode.VALIDATE);
        assertThat(config.dns().trustAnchors()).contains("20326 8 2 E06D44B8").contains("38696 8 2 683D2D0A");
        assertThat(config.dns().timeoutMillis()).isEqualTo(5000);
        assertThat(config.tls().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(config.tls().trustStorePath()).isNull();
        assertThat(config.settings()).extracting(Setting::key).containsExactlyElementsOf(ConfigLoader.GLOBAL_KEYS);
        assertThat(config.settings()).allSatisfy(setting -> assertThat(setting.origin()).startsWith("built-in default"));
    }

    @Test
    void shippedExampleFileIsValidAndShowsEveryKey() throws Exception {
        Path example = Path.of("..", "docs", "mailtls.properties.example");
        if (!Files.isReadable(Path.of("/etc/ssl/certs/ca-certificates.crt"))) {
            // The example names Debian's CA bundle; elsewhere stand in for it.
            overrides.setProperty("mailtls.tls.trust-store", caBundle().toString());
        }

        MailTlsConfig config = loader().load(example);

        String text = Files.readString(example);
        assertThat(ConfigLoader.GLOBAL_KEYS).allSatisfy(key -> assertThat(text).containsAnyOf("\n" + key + " = ", "\n#" + key + " = "));
        assertThat(config.queue()).as("the example leaves the queue off").isEmpty();
        assertThat(config.dns().trustAnchorsSource()).endsWith("docs/root-anchors.ds");
        assertThat(config.dns().trustAnchors()).isNotEqualTo(ConfigLoader.ROOT_ANCHORS).contains(ConfigLoader.ROOT_ANCHORS);
        assertThat(config.policies().rules()).hasSize(6);
    }

    @Test
    void relativePathsInAFileAreRelativeToItsFolder() throws Exception {
        Files.writeString(dir.resolve("anchors.ds"), "test. 3600 IN DS 12345 13 2 " + "AB".repeat(32) + "\n");

        MailTlsConfig config = load("mailtls.dns.trust-anchors = anchors.ds");

        assertThat(config.dns().trustAnchorsSource()).isEqualTo(dir.resolve("anchors.ds").toString());
    }

    @Test
    void exactRuleBeatsWildcardAndLongestParentWins() throws Exception {
        MailTlsConfig config = load(
                "mailtls.policy.*.example.org = verify",
                "mailtls.policy.*.eu.example.org = secure",
                "mailtls.policy.mx.eu.example.org = dane-only");

        assertThat(config.policies().match("mx.eu.example.org").policy().level()).isEqualTo(TlsLevel.DANE_ONLY);
        assertThat(config.policies().match("mx2.eu.example.org").policy().level()).isEqualTo(TlsLevel.SECURE);
        assertThat(config.policies().match("a.b.eu.example.org").policy().level()).isEqualTo(TlsLevel.SECURE);
        assertThat(config.policies().match("mx.us.example.org").policy().level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(config.policies().match("example.org").policy().level())
                .as("*.example.org covers subdomains, not example.org itself").isEqualTo(TlsLevel.DANE);
    }

    @Test
    void namesAreComparedCaseInsensitivelyWithoutTrailingDotInPunycode() throws Exception {
        MailTlsConfig config = load(
                "mailtls.policy.Mail.Example.COM. = verify",
                "mailtls.policy.*.bücher.example = dane-only");

        assertThat(config.policies().match("mail.example.com").policy().level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(config.policies().match("MAIL.example.com.").policy().level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(config.policies().match("mx.xn--bcher-kva.example").policy().level()).isEqualTo(TlsLevel.DANE_ONLY);
        assertThat(config.policies().match("mx.BÜCHER.example").policy().level()).isEqualTo(TlsLevel.DANE_ONLY);
    }

    @Test
    void actionAttributeOverridesTheDeploymentAction() throws Exception {
        MailTlsConfig config = load(
                "mailtls.action = audit",
                "mailtls.policy.strict.example = dane-only action=reject",
                "mailtls.policy.lax.example = encrypt");

        assertThat(config.policies().match("strict.example").policy().action()).isEqualTo(PolicyAction.REJECT);
        assertThat(config.policies().match("strict.example").rule().actionOrigin()).endsWith(":2");
        assertThat(config.policies().match("lax.example").policy().action()).isEqualTo(PolicyAction.AUDIT);
        assertThat(config.policies().match("lax.example").rule().actionOrigin()).contains("mailtls.action").contains(":1");
        assertThat(config.policies().match("other.example").policy().action()).isEqualTo(PolicyAction.AUDIT);
    }

    @Test
    void daneWithoutFallbackFallsBackToMayAsInPostfix() throws Exception {
        MailTlsConfig config = load("mailtls.level = dane", "mailtls.policy.a.example = dane fallback=secure");

        assertThat(config.policies().match("b.example").policy().daneFallback()).isEqualTo(TlsLevel.MAY);
        assertThat(config.policies().match("a.example").policy().daneFallback()).isEqualTo(TlsLevel.SECURE);
    }

    @Test
    void trailingCommentsAndPropertiesEscapesAreUnderstood() throws Exception {
        MailTlsConfig config = load(
                "# a comment",
                "mailtls.dns.timeout = 2s   # short, the resolver is local",
                "mailtls.dns.servers = 127.0.0.1:5301, \\",
                "    [::1]:5301",
                "mailtls.policy.x.example : encrypt");

        assertThat(config.dns().timeoutMillis()).isEqualTo(2000);
        assertThat(config.dns().servers()).extracting(InetSocketAddress::getPort).containsExactly(5301, 5301);
        assertThat(config.policies().match("x.example").policy().level()).isEqualTo(TlsLevel.ENCRYPT);
        assertThat(config.policies().match("x.example").rule().policyOrigin()).endsWith(":5");
    }

    @Test
    void systemPropertiesOverrideTheFileAndAddRules() throws Exception {
        overrides.setProperty("mailtls.dns.timeout", "9s");
        overrides.setProperty("mailtls.policy.added.example", "verify");
        overrides.setProperty("mailtls.config", "/ignored/here");
        overrides.setProperty("java.home", "/not/ours");

        MailTlsConfig config = load("mailtls.dns.timeout = 2s");

        assertThat(config.dns().timeoutMillis()).isEqualTo(9000);
        assertThat(config.settings()).filteredOn(s -> s.key().equals("mailtls.dns.timeout"))
                .singleElement().extracting(Setting::origin).isEqualTo("system property -Dmailtls.dns.timeout");
        assertThat(config.policies().match("added.example").policy().level()).isEqualTo(TlsLevel.VERIFY);
    }

    @Test
    void unknownSystemPropertyIsAnError() {
        overrides.setProperty("mailtls.dns.timout", "9s");

        assertThatThrownBy(() -> loader().loadWithoutFile()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("system property -Dmailtls.dns.timout: mailtls.dns.timout = \"9s\": unknown key")
                .hasMessageContaining("did you mean mailtls.dns.timeout?");
    }

    @Test
    void typoInKeyNamesFileLineKeyAndSuggestion() throws Exception {
        ConfigException error = rejected("mailtls.level = dane", "mailtls.dns.timout = 5s");

        assertThat(error.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.origin()).isEqualTo(dir.resolve("mailtls.properties") + ":2");
            assertThat(problem.key()).isEqualTo("mailtls.dns.timout");
            assertThat(problem.message()).contains("unknown key (did you mean mailtls.dns.timeout?)")
                    .contains("known keys: mailtls.level, mailtls.action");
        });
    }

    @Test
    void keyOutsideTheMailtlsNamespaceIsAnError() throws Exception {
        assertThat(rejected("mailtsl.level = dane").getMessage())
                .contains("mailtsl.level = \"dane\": unknown key (did you mean mailtls.level?)");
    }

    @Test
    void unknownLevelListsTheAllowedLevels() throws Exception {
        assertThat(rejected("mailtls.policy.example.com = dane-onyl").getMessage())
                .contains(":1: mailtls.policy.example.com = \"dane-onyl\": unknown level \"dane-onyl\"; allowed: none, may,"
                        + " encrypt, dane, dane-only, verify, secure");
    }

    @Test
    void fingerprintLevelIsRefusedWithAnAlternative() throws Exception {
        assertThat(rejected("mailtls.policy.example.com = fingerprint").getMessage())
                .contains("fingerprint level is not supported").contains("dane-only");
    }

    @Test
    void unknownAttributeNamesTheAttributesAllowedForTheLevel() throws Exception {
        assertThat(rejected("mailtls.policy.example.com = dane match=nexthop").getMessage())
                .contains("unknown attribute \"match\"; allowed for dane: fallback=may|encrypt|verify|secure, action=defer|reject|audit");
    }

    @Test
    void fallbackOnAnotherLevelThanDaneIsAnError() throws Exception {
        assertThat(rejected("mailtls.policy.example.com = verify fallback=may").getMessage())
                .contains("fallback= applies only to level dane, not verify");
        assertThat(rejected("mailtls.policy.example.com = dane-only fallback=may").getMessage())
                .contains("dane-only has no fallback");
    }

    @Test
    void fallbackMustBeANonDaneLevel() throws Exception {
        assertThat(rejected("mailtls.level = dane fallback=dane-only").getMessage())
                .contains("fallback=dane-only is not allowed; allowed: may, encrypt, verify, secure");
    }

    @Test
    void actionOnALevelThatNeverRefusesIsAnError() throws Exception {
        assertThat(rejected("mailtls.policy.example.com = may action=reject").getMessage())
                .contains("action= has no effect at level may");
    }

    @Test
    void actionInTheDefaultLevelPointsToMailtlsAction() throws Exception {
        assertThat(rejected("mailtls.level = dane-only action=reject").getMessage())
                .contains("set the default action with mailtls.action");
    }

    @Test
    void unknownActionListsTheActions() throws Exception {
        assertThat(rejected("mailtls.action = bounce").getMessage())
                .contains("mailtls.action = \"bounce\": unknown action; allowed: defer, reject, audit");
        assertThat(rejected("mailtls.policy.a.example = encrypt action=drop").getMessage())
                .contains("action=drop is not allowed; allowed: defer, reject, audit");
    }

    @Test
    void durationWithoutUnitIsRefused() throws Exception {
        assertThat(rejected("mailtls.dns.timeout = 5").getMessage())
                .contains("mailtls.dns.timeout = \"5\": not a duration; write a whole number with a unit: ms, s, m, h or d");
        assertThat(rejected("mailtls.dns.timeout = 0s").getMessage()).contains("out of range; allowed: 1ms to 1h");
    }

    @Test
    void dnsServerMustBeAnAddressWithAValidPort() throws Exception {
        assertThat(rejected("mailtls.dns.servers = ns.example.net").getMessage())
                .contains("\"ns.example.net\" is not an IP address");
        assertThat(rejected("mailtls.dns.servers = 127.0.0.1:70000").getMessage())
                .contains("port \"70000\" is not a number from 1 to 65535");
        assertThat(rejected("mailtls.dns.servers = 300.1.1.1").getMessage())
                .contains("\"300.1.1.1\" is not a valid IPv4 address");
        assertThat(rejected("mailtls.dns.servers = 127.0.0.1,,::1").getMessage()).contains("empty server in the list");
    }

    @Test
    void trustAdIsRefusedForAResolverAcrossTheNetwork() throws Exception {
        assertThat(rejected("mailtls.dns.dnssec = trust-ad", "mailtls.dns.servers = 127.0.0.1:5301, 192.0.2.53").getMessage())
                .contains(":2: mailtls.dns.servers")
                .contains("trust-ad needs DNS servers on a loopback address, but 192.0.2.53:53")
                .contains("Use mailtls.dns.dnssec = validate");
    }

    @Test
    void trustAdIsRefusedWhenResolvConfNamesARemoteResolver() throws Exception {
        systemResolvers = List.of(new InetSocketAddress("192.0.2.1", 53));

        assertThat(rejected("mailtls.dns.dnssec = trust-ad").getMessage())
                .contains(":1: mailtls.dns.dnssec = \"trust-ad\"").contains("192.0.2.1:53 (built-in default (name servers of /etc/resolv.conf))");
    }

    @Test
    void trustAdIsAcceptedOnLoopback() throws Exception {
        MailTlsConfig config = load("mailtls.dns.dnssec = trust-ad", "mailtls.dns.servers = 127.0.0.1:5301,[::1]");

        assertThat(config.dns().dnssecMode()).isEqualTo(DnssecMode.TRUST_AD);
    }

    @Test
    void unknownDnssecModeListsTheModes() throws Exception {
        assertThat(rejected("mailtls.dns.dnssec = on").getMessage())
                .contains("unknown DNSSEC mode; allowed: validate").contains("trust-ad");
    }

    @Test
    void trustAnchorFileMustHoldDsOrDnskeyRecords() throws Exception {
        Path anchors = dir.resolve("anchors");
        Files.writeString(anchors, "test. 3600 IN A 192.0.2.1\n");
        assertThat(rejected("mailtls.dns.trust-anchors = " + anchors).getMessage())
                .contains("holds a A record for test.; a trust anchor file holds only DS or DNSKEY records");

        Files.writeString(anchors, "test. 3600 IN DS not-a-number\n");
        assertThat(rejected("mailtls.dns.trust-anchors = " + anchors).getMessage())
                .contains("is not a zone file of DS or DNSKEY records");

        assertThat(rejected("mailtls.dns.trust-anchors = " + dir.resolve("missing")).getMessage())
                .contains("cannot read the trust anchor file");
    }

    @Test
    void trustAnchorFileIsLoaded() throws Exception {
        Path anchors = dir.resolve("anchors");
        String ds = "test. 3600 IN DS 12345 13 2 " + "AB".repeat(32) + "\n";
        Files.writeString(anchors, ds);

        MailTlsConfig config = load("mailtls.dns.trust-anchors = " + anchors);

        assertThat(config.dns().trustAnchors()).isEqualTo(ds);
        assertThat(config.dns().trustAnchorsSource()).isEqualTo(anchors.toString());
    }

    @Test
    void protocolsAreCheckedAndOldOnesOnlyWhenListed() throws Exception {
        assertThat(load("mailtls.tls.protocols = tlsv1.2, TLSv1.1").tls().protocols()).containsExactly("TLSv1.2", "TLSv1.1");
        assertThat(rejected("mailtls.tls.protocols = TLSv1.3,SSLv3").getMessage())
                .contains("unknown protocol \"SSLv3\"; allowed: TLSv1.3, TLSv1.2, TLSv1.1, TLSv1");
    }

    @Test
    void trustStoreMustBeAReadableFile() throws Exception {
        assertThat(rejected("mailtls.tls.trust-store = " + dir.resolve("nope.p12")).getMessage())
                .contains("is not a readable file; give a PEM bundle");
    }

    @Test
    void trustStoreIsReadAtStartUp() throws Exception {
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        assertThat(rejected("mailtls.tls.trust-store = " + garbage).getMessage())
                .contains(":1: mailtls.tls.trust-store").contains("not a valid PEM certificate bundle");

        Path bundle = caBundle();
        MailTlsConfig config = load("mailtls.tls.trust-store = " + bundle);
        assertThat(config.tls().trustStore().source()).isEqualTo(bundle.toString());
    }

    private Path caBundle() throws IOException {
        Path bundle = dir.resolve("ca.pem");
        Files.writeString(bundle, dev.mailtls.testing.TestCertificate.builder().commonName("Test CA").certificateAuthority(0).build().pem());
        return bundle;
    }

    @Test
    void keyWrittenTwiceNamesBothLines() throws Exception {
        assertThat(rejected("mailtls.level = dane", "mailtls.level = dane-only").getMessage())
                .contains(":2: mailtls.level = \"dane-only\": set twice (first at " + dir.resolve("mailtls.properties") + ":1)");
    }

    @Test
    void sameDestinationSpelledTwoWaysIsAnError() throws Exception {
        assertThat(rejected("mailtls.policy.example.com = verify", "mailtls.policy.EXAMPLE.com. = secure").getMessage())
                .contains("the same destination as mailtls.policy.example.com");
    }

    @Test
    void wildcardOnlyAsTheWholeFirstLabel() throws Exception {
        assertThat(rejected("mailtls.policy.mx*.example.com = verify").getMessage())
                .contains("a wildcard is allowed only as the whole first label");
        assertThat(rejected("mailtls.policy.* = verify").getMessage()).contains("set the default for all destinations with mailtls.level");
        assertThat(rejected("mailtls.policy.bad..example = verify").getMessage()).contains("empty label");
    }

    @Test
    void configFileKeyInsideTheFileIsAnError() throws Exception {
        assertThat(rejected("mailtls.config = /etc/other.properties").getMessage())
                .contains("belongs on the command line");
    }

    @Test
    void unreadableFileIsAnErrorNamingTheFile() {
        Path missing = dir.resolve("missing.properties");

        assertThatThrownBy(() -> loader().load(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing + ": cannot read the configuration file: no such file");
    }

    @Test
    void fileThatIsNotUtf8IsAnError() throws Exception {
        Path file = dir.resolve("latin1.properties");
        Files.write(file, "mailtls.policy.b\u00fccher.example = verify\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> loader().load(file)).hasMessageContaining("not valid UTF-8 text");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
        ConfigException error = rejected(
                "mailtls.level = sure",
                "mailtls.dns.timeout = soon",
                "mailtls.policy.a.example = verify fallback=may");

        assertThat(error.problems()).hasSize(3);
        assertThat(error.getMessage()).startsWith("MailTLS Guard configuration is invalid (3 problems):");
    }
    @Test
    void withoutAQueueDirectoryNothingIsQueued() throws Exception {
        MailTlsConfig config = loader().loadWithoutFile();

        assertThat(config.queue()).isEmpty();
        assertThat(config.settings()).filteredOn(s -> s.key().equals("mailtls.queue.dir")).singleElement()
                .extracting(Setting::value).asString().startsWith("none: a deferred message is a temporary (4.7.x) failure");
    }

    @Test
    void queueKeysAreParsedWithARelativeDirectoryBesideTheFile() throws Exception {
        MailTlsConfig config = load(
                "mailtls.queue.dir = spool/mailtls",
                "mailtls.queue.retry = 30s, 2m,1h",
                "mailtls.queue.max-age = 2d",
                "mailtls.queue.max-size = 512MB, 20000 messages");

        QueueSettings queue = config.queue().get();
        assertThat(queue.directory()).isEqualTo(dir.resolve("spool/mailtls"));
        assertThat(queue.retry()).isEqualTo(RetrySchedule.of(Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofHours(1)));
        assertThat(queue.maxAge()).isEqualTo(Duration.ofDays(2));
        assertThat(queue.maxBytes()).isEqualTo(512L << 20);
        assertThat(queue.maxMessages()).isEqualTo(20000);
        assertThat(config.settings()).filteredOn(s -> s.key().startsWith("mailtls.queue."))
                .extracting(Setting::toString).containsExactly(
                        "mailtls.queue.dir = " + dir.resolve("spool/mailtls") + " (" + dir.resolve("mailtls.properties") + ":1)",
                        "mailtls.queue.retry = 30s,2m,1h (" + dir.resolve("mailtls.properties") + ":2)",
                        "mailtls.queue.max-age = 2d (" + dir.resolve("mailtls.properties") + ":3)",
                        "mailtls.queue.max-size = 512MB, 20000 messages (" + dir.resolve("mailtls.properties") + ":4)");
    }

    @Test
    void queueDefaultsAreThoseOfTheIssue() throws Exception {
        QueueSettings queue = load("mailtls.queue.dir = /var/spool/mailtls").queue().get();

        assertThat(queue.retry()).hasToString("1m,5m,15m,1h,4h");
        assertThat(queue.maxAge()).isEqualTo(Duration.ofDays(5));
        assertThat(queue.maxBytes()).isEqualTo(1L << 30);
        assertThat(queue.maxMessages()).isZero();
    }

    @Test
    void aMessageCountAloneLiftsTheByteLimitAndUnlimitedLiftsBoth() throws Exception {
        QueueSettings count = load("mailtls.queue.dir = /q", "mailtls.queue.max-size = 10000 messages").queue().get();
        assertThat(count.maxBytes()).isZero();
        assertThat(count.maxMessages()).isEqualTo(10000);

        QueueSettings unlimited = load("mailtls.queue.dir = /q", "mailtls.queue.max-size = unlimited").queue().get();
        assertThat(unlimited.maxBytes()).isZero();
        assertThat(unlimited.maxMessages()).isZero();
    }

    @Test
    void badQueueValuesNameTheKeyAndWhatIsAllowed() throws Exception {
        ConfigException error = rejected(
                "mailtls.queue.dir = /var/spool/mailtls",
                "mailtls.queue.retry = 1m, 5, 0s",
                "mailtls.queue.max-age = forever",
                "mailtls.queue.max-size = 1 GiB");

        assertThat(error.problems()).extracting(ConfigProblem::toString).containsExactly(
                dir.resolve("mailtls.properties") + ":2: mailtls.queue.retry = \"1m, 5, 0s\": \"5\" is not a duration; write"
                        + " a whole number with a unit: ms, s, m, h or d (e.g. 5s, 500ms, 15m); write a comma-separated list"
                        + " such as 1m,5m,15m,1h,4h (the last interval repeats)",
                dir.resolve("mailtls.properties") + ":2: mailtls.queue.retry = \"1m, 5, 0s\": \"0s\" is out of range;"
                        + " allowed: 1s to 7d",
                dir.resolve("mailtls.properties") + ":3: mailtls.queue.max-age = \"forever\": not a duration; write a whole"
                        + " number with a unit: ms, s, m, h or d (e.g. 5s, 500ms, 15m)",
                dir.resolve("mailtls.properties") + ":4: mailtls.queue.max-size = \"1 GiB\": \"1 GiB\" is not a size limit;"
                        + " write " + SizeSyntax.FORMAT);
    }

    @Test
    void queueSettingsWithoutADirectoryAreAMistake() throws Exception {
        assertThat(rejected("mailtls.queue.max-age = 1d").getMessage()).contains(":1: mailtls.queue.max-age = \"1d\": has no"
                + " effect without mailtls.queue.dir; set the queue directory to queue deferred mail, or remove this key");
    }

    @Test
    void aMistypedQueueKeyIsSuggested() throws Exception {
        assertThat(rejected("mailtls.queue.max_age = 1d").getMessage()).contains("did you mean mailtls.queue.max-age?");
    }

    @Test
    void sizeLimitsParseAndPrint() {
        assertThat(SizeSyntax.parse("1GB").bytes).isEqualTo(1L << 30);
        assertThat(SizeSyntax.parse(" 64 kb ").bytes).isEqualTo(64L << 10);
        assertThat(SizeSyntax.parse("10000 messages, 2TB").messages).isEqualTo(10000);
        assertThat(SizeSyntax.parse("1 message").messages).isEqualTo(1);
        assertThat(SizeSyntax.format(1L << 30, 0)).isEqualTo("1GB");
        assertThat(SizeSyntax.format(1536L << 10, 10)).isEqualTo("1536KB, 10 messages");
        assertThat(SizeSyntax.format(0, 0)).isEqualTo("unlimited");
        assertThat(SizeSyntax.formatBytes(1000)).isEqualTo("1000B");
        assertThatThrownBy(() -> SizeSyntax.parse("1GB, 2GB")).hasMessageContaining("repeats a limit");
        assertThatThrownBy(() -> SizeSyntax.parse("0 messages")).hasMessageContaining("write a positive count");
        assertThatThrownBy(() -> SizeSyntax.parse("1000")).hasMessageContaining("is not a size limit");
        assertThatThrownBy(() -> SizeSyntax.parse("99999999999TB")).hasMessageContaining("out of range");
    }
}
