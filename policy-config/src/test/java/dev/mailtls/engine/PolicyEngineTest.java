package dev.mailtls.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.config.ConfigException;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.dns.MxHost;
import dev.mailtls.dns.MxLookup;
import dev.mailtls.dns.TlsaOutcome;
import dev.mailtls.engine.ConnectionRequirement.Kind;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.testing.FakeDnsServer;
import dev.mailtls.testing.SignedTestZone;
import dev.mailtls.tls.ClientTlsContext;
import dev.mailtls.tls.VerificationRequirement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SNIHostName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Type;

/**
 * The engine's decisions for every level and every TLSA outcome, against a signed zone served by
 * the in-process fake DNS server and validated from its trust anchor ({@code validate} mode): the
 * effective kind, the names a certificate must carry, the SNI name, the reason, and the TLS
 * context each requirement builds.
 */
class PolicyEngineTest {
    /** A SHA2-256 digest: the data of a {@code 3 1 1} record (usable) or a {@code 1 1 1} one (not usable for SMTP). */
    private static final String DIGEST = "8ccf4ba33b4ca4dc2e4de77cd7b5e3cde2b83ef6bf5b6de57e0f5e9ef2c8f1a0";

    @TempDir
    static Path dir;

    private static FakeDnsServer server;
    private static Path trustAnchorFile;
    private static PolicyEngine engine;

    @BeforeAll
    static void start() throws Exception {
        SignedTestZone zone = SignedTestZone.builder("test.")
                .records(
                        "ok.test. 300 IN MX 10 mx.ok.test.",
                        "mx.ok.test. 300 IN A 127.0.0.2",
                        "_25._tcp.mx.ok.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "mail.alias.test. 300 IN CNAME mx.ok.test.",
                        "unusable.test. 300 IN MX 10 mx.unusable.test.",
                        "mx.unusable.test. 300 IN A 127.0.0.3",
                        "_25._tcp.mx.unusable.test. 300 IN TLSA 1 1 1 " + DIGEST,
                        "_25._tcp.mx.unusable.test. 300 IN TLSA 0 0 1 " + DIGEST,
                        "notlsa.test. 300 IN MX 10 mx.notlsa.test.",
                        "mx.notlsa.test. 300 IN A 127.0.0.4",
                        "bogus-tlsa.test. 300 IN MX 10 mx.bogus-tlsa.test.",
                        "mx.bogus-tlsa.test. 300 IN A 127.0.0.5",
                        "_25._tcp.mx.bogus-tlsa.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "bogus-addr.test. 300 IN MX 10 mx.bogus-addr.test.",
                        "mx.bogus-addr.test. 300 IN A 127.0.0.6",
                        "_25._tcp.mx.bogus-addr.test. 300 IN TLSA 3 1 1 " + DIGEST,
                        "plain.test. 300 IN MX 10 mx.plain.test.",
                        "mx.plain.test. 300 IN A 127.0.0.7",
                        "insecure.test. 300 IN MX 10 mx.ok.test.",
                        "mx.insecure.test. 300 IN A 127.0.0.8",
                        "_25._tcp.mx.insecure.test. 300 IN TLSA 3 1 1 " + DIGEST)
                .insecureDelegation("insecure.test.")
                .corruptSignature("_25._tcp.mx.bogus-tlsa.test.", Type.TLSA)
                .corruptSignature("mx.bogus-addr.test.", Type.A)
                .build();
        server = FakeDnsServer.start(zone.responder());
        trustAnchorFile = dir.resolve("test.ds");
        Files.write(trustAnchorFile, zone.trustAnchor().getBytes(StandardCharsets.US_ASCII));
        engine = PolicyEngine.create(config("mailtls.tls.protocols", "TLSv1.3"));
    }

    @AfterAll
    static void stop() {
        engine.close();
        server.close();
    }

    /** A configuration resolving through the fake server, plus {@code keyValues} (key, value, key, value...). */
    private static MailTlsConfig config(String... keyValues) throws ConfigException {
        Properties properties = new Properties();
        properties.setProperty(ConfigLoader.DNS_SERVERS, "127.0.0.1:" + server.address().getPort());
        properties.setProperty(ConfigLoader.DNS_DNSSEC, "validate");
        properties.setProperty(ConfigLoader.DNS_TRUST_ANCHORS, trustAnchorFile.toString());
        properties.setProperty(ConfigLoader.DNS_TIMEOUT, "3s");
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return ConfigLoader.withOverrides(properties).loadWithoutFile();
    }

    /** The rule {@code mailtls.policy.destination.test = POLICY}, e.g. {@code "dane fallback=verify action=audit"}. */
    private static PolicyMatch policy(String policy) throws ConfigException {
        PolicyMatch match = config(ConfigLoader.POLICY_PREFIX + "destination.test", policy).policies()
                .match("destination.test");
        assertThat(match.policy().toString()).startsWith(policy.split(" ")[0] + " ");
        return match;
    }

    private static MxHost mxOf(String domain) {
        MxLookup mx = engine.destinations().lookupMx(domain);
        assertThat(mx.kind()).as(mx.reason()).isEqualTo(MxLookup.Kind.HOSTS);
        return mx.hosts().get(0);
    }

    private static boolean asked(String name) {
        return server.received().stream()
                .anyMatch(query -> query.getQuestion().getName().toString(true).equalsIgnoreCase(name));
    }

    // Levels without DANE: no DNS at all, the names follow the level.

    @Test
    void noneMayAndEncryptCheckNoNameAndSendTheHostAsSniWithoutAnyDnsLookup() throws Exception {
        ConnectionRequirement none = engine.forHost(policy("none"), "smtp.nodns.test", 25);
        ConnectionRequirement may = engine.forHost(policy("may"), "smtp.nodns.test", 25);
        ConnectionRequirement encrypt = engine.forHost(policy("encrypt"), "smtp.nodns.test", 587);

        assertThat(none.kind()).isEqualTo(Kind.NONE);
        assertThat(may.kind()).isEqualTo(Kind.MAY);
        assertThat(encrypt.kind()).isEqualTo(Kind.ENCRYPT);
        for (ConnectionRequirement requirement : List.of(none, may, encrypt)) {
            assertThat(requirement.names()).isEmpty();
            assertThat(requirement.host()).isEqualTo("smtp.nodns.test");
            assertThat(requirement.serverName()).isEqualTo("smtp.nodns.test");
            assertThat(requirement.tlsa()).isNull();
        }
        assertThat(encrypt.port()).isEqualTo(587);
        assertThat(may.reason()).isEqualTo("level may");
        assertThat(encrypt.toString()).isEqualTo("level=encrypt effective=encrypt (level encrypt)");
        assertThat(asked("smtp.nodns.test")).isFalse();
    }

    @Test
    void verifyRequiresTheHostName() throws Exception {
        ConnectionRequirement requirement = engine.forHost(policy("verify"), "smtp.nodns.test", 25);

        assertThat(requirement.kind()).isEqualTo(Kind.VERIFY);
        assertThat(requirement.names()).containsExactly("smtp.nodns.test");
        assertThat(requirement.serverName()).isEqualTo("smtp.nodns.test");
        assertThat(requirement.reason()).isEqualTo("level verify");
    }

    @Test
    void secureWithoutMxLookupRequiresTheHostAndEveryNameBelowIt() throws Exception {
        ConnectionRequirement requirement = engine.forHost(policy("secure"), "smtp.nodns.test", 25);

        assertThat(requirement.kind()).isEqualTo(Kind.SECURE);
        assertThat(requirement.names()).containsExactly("smtp.nodns.test", ".smtp.nodns.test");
        assertThat(requirement.serverName()).isEqualTo("smtp.nodns.test");
    }

    @Test
    void verifyOfAnMxHostRequiresTheMxHostName() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("verify"), mxOf("plain.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.VERIFY);
        assertThat(requirement.host()).isEqualTo("mx.plain.test");
        assertThat(requirement.names()).containsExactly("mx.plain.test");
        assertThat(requirement.serverName()).isEqualTo("mx.plain.test");
    }

    @Test
    void secureOfAnMxHostRequiresTheNextHopAndDotNextHopAndSendsTheMxHostAsSni() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("secure"), mxOf("plain.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.SECURE);
        assertThat(requirement.names()).containsExactly("plain.test", ".plain.test");
        assertThat(requirement.serverName()).isEqualTo("mx.plain.test");
    }

    @Test
    void noneMayAndEncryptOfAnMxHostLookUpNoTlsa() throws Exception {
        MxHost host = mxOf("plain.test");

        assertThat(engine.forMxHost(policy("none"), host, 25).kind()).isEqualTo(Kind.NONE);
        assertThat(engine.forMxHost(policy("may"), host, 25).kind()).isEqualTo(Kind.MAY);
        ConnectionRequirement encrypt = engine.forMxHost(policy("encrypt"), host, 25);
        assertThat(encrypt.kind()).isEqualTo(Kind.ENCRYPT);
        assertThat(encrypt.names()).isEmpty();
        assertThat(encrypt.serverName()).isEqualTo("mx.plain.test");
        assertThat(asked("_25._tcp.mx.plain.test")).isFalse();
    }

    // Usable TLSA records: DANE, whatever the fallback.

    @Test
    void repeatedDaneDecisionIsRememberedWhileItsDnsAnswersAreCurrent() throws Exception {
        PolicyMatch match = policy("dane-only");

        ConnectionRequirement first = engine.forHost(match, "mx.ok.test", 25);

        assertThat(engine.forHost(match, "mx.ok.test", 25)).isSameAs(first);
        assertThat(engine.forHost(match, "mx.ok.test", 26)).as("another port, other TLSA records").isNotSameAs(first);
        assertThat(engine.forHost(policy("dane-only"), "mx.ok.test", 25)).as("another rule").isNotSameAs(first);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dane", "dane fallback=encrypt", "dane fallback=verify", "dane fallback=secure", "dane-only"})
    void usableTlsaOfAHostMeansDaneWithTheBaseDomainAsNameAndSni(String level) throws Exception {
        ConnectionRequirement requirement = engine.forHost(policy(level), "mx.ok.test", 25);

        assertThat(requirement.kind()).isEqualTo(Kind.DANE);
        assertThat(requirement.names()).containsExactly("mx.ok.test");
        assertThat(requirement.serverName()).isEqualTo("mx.ok.test");
        assertThat(requirement.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.AUTHENTICATION_REQUIRED);
        assertThat(requirement.reason()).isEqualTo("1 usable TLSA records at _25._tcp.mx.ok.test");
    }

    @Test
    void usableTlsaBehindASecureCnameSendsTheExpandedNameAsSni() throws Exception {
        ConnectionRequirement requirement = engine.forHost(policy("dane-only"), "mail.alias.test", 25);

        assertThat(requirement.kind()).isEqualTo(Kind.DANE);
        assertThat(requirement.host()).isEqualTo("mail.alias.test");
        assertThat(requirement.serverName()).isEqualTo("mx.ok.test");
        assertThat(requirement.names()).containsExactly("mx.ok.test", "mail.alias.test");
        assertThat(requirement.tlsa().tlsaName()).isEqualTo("_25._tcp.mx.ok.test");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dane", "dane-only"})
    void usableTlsaOfASecureMxHostNamesTheBaseDomainAndTheNextHop(String level) throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy(level), mxOf("ok.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.DANE);
        assertThat(requirement.host()).isEqualTo("mx.ok.test");
        assertThat(requirement.names()).containsExactly("mx.ok.test", "ok.test");
        assertThat(requirement.serverName()).isEqualTo("mx.ok.test");
        assertThat(requirement.tlsa().insecureMx()).isFalse();
        assertThat(requirement.reason()).isEqualTo("1 usable TLSA records at _25._tcp.mx.ok.test");
    }

    // Only unusable TLSA records: TLS without authentication.

    @ParameterizedTest
    @ValueSource(strings = {"dane", "dane fallback=may", "dane fallback=verify", "dane fallback=secure"})
    void daneFallsBackToEncryptWhenAllTlsaRecordsAreUnusableWhateverTheFallback(String level) throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy(level), mxOf("unusable.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.ENCRYPT);
        assertThat(requirement.names()).isEmpty();
        assertThat(requirement.serverName()).isEqualTo("mx.unusable.test");
        assertThat(requirement.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.ENCRYPTION_REQUIRED);
        assertThat(requirement.tlsa().records()).hasSize(2);
        assertThat(requirement.reason())
                .isEqualTo("all TLSA records at _25._tcp.mx.unusable.test are unusable: TLS without authentication");
    }

    @Test
    void daneOnlyRefusesWhenAllTlsaRecordsAreUnusable() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("dane-only"), mxOf("unusable.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.REFUSED);
        assertThat(requirement.reason()).contains("dane-only requires usable DNSSEC-secure TLSA records");
    }

    // Securely denied TLSA: the fallback, or no connection under dane-only.

    @Test
    void securelyDeniedTlsaGivesFallbackMay() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("dane fallback=may"), mxOf("notlsa.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.MAY);
        assertThat(requirement.names()).isEmpty();
        assertThat(requirement.serverName()).isEqualTo("mx.notlsa.test");
        assertThat(requirement.reason()).startsWith("no DANE (_25._tcp.mx.notlsa.test securely denied")
                .endsWith("): fallback may");
        assertThat(requirement.toString()).startsWith("level=dane effective=may (no DANE (");
    }

    @Test
    void securelyDeniedTlsaGivesFallbackEncrypt() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("dane fallback=encrypt"), mxOf("notlsa.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.ENCRYPT);
        assertThat(requirement.names()).isEmpty();
        assertThat(requirement.reason()).endsWith("): fallback encrypt");
    }

    @Test
    void securelyDeniedTlsaGivesFallbackVerifyWithTheMxHostName() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("dane fallback=verify"), mxOf("notlsa.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.VERIFY);
        assertThat(requirement.names()).containsExactly("mx.notlsa.test");
        assertThat(requirement.serverName()).isEqualTo("mx.notlsa.test");
        assertThat(requirement.reason()).endsWith("): fallback verify");
    }

    @Test
    void securelyDeniedTlsaGivesFallbackSecureWithTheNextHopNames() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("dane fallback=secure"), mxOf("notlsa.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.SECURE);
        assertThat(requirement.names()).containsExactly("notlsa.test", ".notlsa.test");
        assertThat(requirement.serverName()).isEqualTo("mx.notlsa.test");
        assertThat(requirement.reason()).endsWith("): fallback secure");
    }

    @Test
    void securelyDeniedTlsaOfAHostReachedWithoutMxGivesFallbackSecureOnTheHost() throws Exception {
        ConnectionRequirement requirement = engine.forHost(policy("dane fallback=secure"), "mx.notlsa.test", 25);

        assertThat(requirement.kind()).isEqualTo(Kind.SECURE);
        assertThat(requirement.names()).containsExactly("mx.notlsa.test", ".mx.notlsa.test");
    }

    @Test
    void securelyDeniedTlsaUnderDaneOnlyIsRefused() throws Exception {
        for (ConnectionRequirement requirement : List.of(
                engine.forMxHost(policy("dane-only"), mxOf("notlsa.test"), 25),
                engine.forHost(policy("dane-only"), "mx.notlsa.test", 25))) {
            assertThat(requirement.kind()).isEqualTo(Kind.REFUSED);
            assertThat(requirement.kind().tlsRequired()).isTrue();
            assertThat(requirement.names()).isEmpty();
            assertThat(requirement.reason()).startsWith("dane-only requires usable DNSSEC-secure TLSA records: ")
                    .contains("_25._tcp.mx.notlsa.test securely denied");
            assertThat(requirement.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.NOT_APPLICABLE);
        }
    }

    @Test
    void insecureAddressesGiveTheFallbackAndRefuseDaneOnly() throws Exception {
        ConnectionRequirement dane = engine.forHost(policy("dane fallback=encrypt"), "mx.insecure.test", 25);
        ConnectionRequirement daneOnly = engine.forHost(policy("dane-only"), "mx.insecure.test", 25);

        assertThat(dane.kind()).isEqualTo(Kind.ENCRYPT);
        assertThat(dane.reason()).contains("DNSSEC-insecure").endsWith("fallback encrypt");
        assertThat(daneOnly.kind()).isEqualTo(Kind.REFUSED);
        assertThat(daneOnly.reason()).contains("DNSSEC-insecure");
    }

    // DNS failures: no connection, and no downgrade either.

    @ParameterizedTest
    @ValueSource(strings = {"dane fallback=may", "dane fallback=secure", "dane-only"})
    void bogusTlsaIsRefusedWithoutFallback(String level) throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy(level), mxOf("bogus-tlsa.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.REFUSED);
        assertThat(requirement.host()).isEqualTo("mx.bogus-tlsa.test");
        assertThat(requirement.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.LOOKUP_FAILED);
        assertThat(requirement.reason())
                .startsWith("TLSA lookup error: TLSA lookup for _25._tcp.mx.bogus-tlsa.test is bogus")
                .endsWith("this MX host must not be used (RFC 7672 2.1.2)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dane fallback=may", "dane-only"})
    void failedAddressLookupIsRefused(String level) throws Exception {
        ConnectionRequirement viaMx = engine.forMxHost(policy(level), mxOf("bogus-addr.test"), 25);
        ConnectionRequirement direct = engine.forHost(policy(level), "mx.bogus-addr.test", 25);

        for (ConnectionRequirement requirement : List.of(viaMx, direct)) {
            assertThat(requirement.kind()).isEqualTo(Kind.REFUSED);
            assertThat(requirement.reason()).startsWith("address lookup of mx.bogus-addr.test failed: A bogus");
            assertThat(requirement.tlsa().kind()).isEqualTo(TlsaOutcome.Kind.NOT_APPLICABLE);
        }
        assertThat(asked("_25._tcp.mx.bogus-addr.test")).isFalse();
    }

    @Test
    void hostThatDoesNotExistIsRefused() throws Exception {
        ConnectionRequirement requirement = engine.forHost(policy("dane fallback=may"), "nowhere.test", 25);

        assertThat(requirement.kind()).isEqualTo(Kind.REFUSED);
        assertThat(requirement.reason()).startsWith("address lookup of nowhere.test failed: A secure NO_SUCH_NAME");
    }

    // An insecure MX RRset: its host's TLSA records still count, but dane-only needs a signed MX.

    @Test
    void hostOfAnInsecureMxStillGetsDaneButIsFlagged() throws Exception {
        MxHost host = mxOf("insecure.test");
        assertThat(host.mxSecure()).isFalse();

        ConnectionRequirement requirement = engine.forMxHost(policy("dane"), host, 25);

        assertThat(requirement.kind()).isEqualTo(Kind.DANE);
        assertThat(requirement.names()).containsExactly("mx.ok.test");
        assertThat(requirement.serverName()).isEqualTo("mx.ok.test");
        assertThat(requirement.tlsa().insecureMx()).isTrue();
        assertThat(requirement.reason()).isEqualTo("1 usable TLSA records at _25._tcp.mx.ok.test"
                + " (MX lookup insecure: authenticated, but never Verified)");
    }

    @Test
    void hostOfAnInsecureMxIsRefusedUnderDaneOnly() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("dane-only"), mxOf("insecure.test"), 25);

        assertThat(requirement.kind()).isEqualTo(Kind.REFUSED);
        assertThat(requirement.host()).isEqualTo("mx.ok.test");
        assertThat(requirement.tlsa()).isNull();
        assertThat(requirement.reason()).isEqualTo("dane-only requires a DNSSEC-secure MX lookup, but the MX records of"
                + " insecure.test are not signed");
    }

    // The TLS context of each requirement.

    @Test
    void daneRequirementBuildsAnEnforcedDaneContextWithTheTlsaRecordsNamesAndSni() throws Exception {
        ConnectionRequirement requirement = engine.forMxHost(policy("dane-only"), mxOf("ok.test"), 25);

        ClientTlsContext context = engine.tlsContext(requirement);

        VerificationRequirement verification = context.requirement();
        assertThat(verification.kind()).isEqualTo(VerificationRequirement.Kind.DANE);
        assertThat(verification.isEnforced()).isTrue();
        assertThat(verification.tlsa().baseDomain()).isEqualTo("mx.ok.test");
        assertThat(verification.tlsa().port()).isEqualTo(25);
        assertThat(verification.tlsa().records()).isEqualTo(requirement.tlsa().records());
        assertThat(verification.referenceIdentifiers().names()).containsExactly("mx.ok.test", "ok.test");
        assertThat(context.serverName()).isEqualTo("mx.ok.test");
        assertThat(context.sslParameters().getServerNames()).containsExactly(new SNIHostName("mx.ok.test"));
        assertThat(context.protocols()).containsExactly("TLSv1.3");
    }

    @Test
    void verifyAndSecureRequirementsBuildEnforcedPkixContextsWithTheirNames() throws Exception {
        MxHost host = mxOf("plain.test");

        ClientTlsContext verify = engine.tlsContext(engine.forMxHost(policy("verify"), host, 25));
        ClientTlsContext secure = engine.tlsContext(engine.forMxHost(policy("secure"), host, 25));

        assertThat(verify.requirement().kind()).isEqualTo(VerificationRequirement.Kind.PKIX);
        assertThat(verify.requirement().isEnforced()).isTrue();
        assertThat(verify.requirement().trustStore()).isNotNull();
        assertThat(verify.requirement().referenceIdentifiers().names()).containsExactly("mx.plain.test");
        assertThat(secure.requirement().kind()).isEqualTo(VerificationRequirement.Kind.PKIX);
        assertThat(secure.requirement().referenceIdentifiers().names()).containsExactly("plain.test", ".plain.test");
        assertThat(secure.serverName()).isEqualTo("mx.plain.test");
    }

    @Test
    void requirementsWithoutAuthenticationBuildAnAnyCertificateContext() throws Exception {
        ConnectionRequirement unusable = engine.forMxHost(policy("dane"), mxOf("unusable.test"), 25);
        ConnectionRequirement may = engine.forHost(policy("may"), "smtp.nodns.test", 25);

        for (ConnectionRequirement requirement : List.of(unusable, may)) {
            ClientTlsContext context = engine.tlsContext(requirement);
            assertThat(context.requirement().kind()).isEqualTo(VerificationRequirement.Kind.ANY_CERTIFICATE);
            assertThat(context.requirement().isEnforced()).isFalse();
            assertThat(context.requirement().trustStore()).isNotNull();
            assertThat(context.serverName()).isEqualTo(requirement.serverName());
        }
    }

    @Test
    void auditActionMakesEveryContextReportOnly() throws Exception {
        ClientTlsContext dane = engine.tlsContext(engine.forHost(policy("dane-only action=audit"), "mx.ok.test", 25));
        ClientTlsContext verify = engine.tlsContext(engine.forHost(policy("verify action=audit"), "mx.ok.test", 25));
        ClientTlsContext secure = engine.tlsContext(engine.forMxHost(policy("secure action=audit"), mxOf("ok.test"), 25));

        assertThat(dane.requirement().kind()).isEqualTo(VerificationRequirement.Kind.DANE);
        assertThat(verify.requirement().kind()).isEqualTo(VerificationRequirement.Kind.PKIX);
        assertThat(secure.requirement().kind()).isEqualTo(VerificationRequirement.Kind.PKIX);
        for (ClientTlsContext context : List.of(dane, verify, secure)) {
            assertThat(context.requirement().isEnforced()).isFalse();
        }
    }

    @Test
    void addressLiteralHostGetsNoSni() throws Exception {
        for (String literal : List.of("192.0.2.25", "2001:db8::25", "[192.0.2.25]")) {
            ConnectionRequirement requirement = engine.forHost(policy("may"), literal, 25);

            assertThat(requirement.serverName()).as(literal).isNull();
            assertThat(engine.tlsContext(requirement).sslParameters().getServerNames()).as(literal).isNullOrEmpty();
        }
    }
}
