package dev.mailtls.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.testing.TestCertificate;
import dev.mailtls.testing.TestPki;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsaSetTest {
    private static final TestPki PKI = TestPki.forServer("mx.example.com");

    private static TlsaRecord record(int usage, int selector, int matchingType, X509Certificate certificate) {
        return TlsaRecord.forCertificate(usage, selector, matchingType, certificate);
    }

    private static TlsaSet set(TlsaRecord... records) {
        TlsaSet.Builder builder = TlsaSet.builder().baseDomain("mx.example.com", 25);
        for (TlsaRecord record : records) {
            builder.add(record);
        }
        return builder.build();
    }

    private static TlsaRecord wrongDigest(int usage, int selector) {
        return TlsaRecord.of(usage, selector, 1, new byte[32]);
    }

    @ParameterizedTest(name = "3 {0} {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2"})
    void daneEeMatchesServerCertificateForEverySelectorAndMatchingType(int selector, int matchingType) throws Exception {
        TlsaRecord record = record(3, selector, matchingType, PKI.leaf().certificate());

        DaneMatch match = set(record).authenticate(PKI.chainWithoutRoot(), new Date());

        assertThat(match.record()).isEqualTo(record);
        assertThat(match.depth()).isZero();
        assertThat(match.isEndEntity()).isTrue();
        assertThat(match.requiresNameCheck()).isFalse();
    }

    @ParameterizedTest(name = "2 {0} {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2"})
    void daneTaMatchesIntermediateForEverySelectorAndMatchingType(int selector, int matchingType) throws Exception {
        TlsaRecord record = record(2, selector, matchingType, PKI.intermediate().certificate());

        DaneMatch match = set(record).authenticate(PKI.chainWithoutRoot(), new Date());

        assertThat(match.depth()).isEqualTo(1);
        assertThat(match.certificate()).isEqualTo(PKI.intermediate().certificate());
        assertThat(match.requiresNameCheck()).isTrue();
    }

    @Test
    void daneEeIgnoresExpiry() throws Exception {
        TestCertificate expired = TestCertificate.builder().commonName("other.example.org").expired().build();

        DaneMatch match = set(record(3, 1, 1, expired.certificate())).authenticate(List.of(expired.certificate()), new Date());

        assertThat(match.depth()).isZero();
    }

    @Test
    void daneEeMatchesOnlyTheServerCertificateNotItsIssuers() {
        TlsaSet tlsa = set(record(3, 1, 1, PKI.intermediate().certificate()));

        assertThatThrownBy(() -> tlsa.authenticate(PKI.chainWithoutRoot(), new Date()))
                .isInstanceOf(CertificateException.class)
                .hasMessageStartingWith("no TLSA record of _25._tcp.mx.example.com matched");
    }

    @Test
    void daneTaFailsWhenTrustAnchorExpired() {
        TestPki pki = TestPki.builder().root(root -> root.expired()).leaf(leaf -> leaf.dnsNames("mx.example.com")).build();
        TlsaSet tlsa = set(record(2, 0, 1, pki.root().certificate()));

        assertThatThrownBy(() -> tlsa.authenticate(pki.fullChain(), new Date()))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("matched the trust anchor at depth 2")
                .hasMessageContaining("but it expired on " + pki.root().certificate().getNotAfter().toInstant());
    }

    @Test
    void daneTaFailsWhenServerCertificateBelowAnchorExpired() {
        TestPki pki = TestPki.builder().leaf(leaf -> leaf.dnsNames("mx.example.com").expired()).build();
        TlsaSet tlsa = set(record(2, 1, 1, pki.intermediate().certificate()));

        assertThatThrownBy(() -> tlsa.authenticate(pki.chainWithoutRoot(), new Date()))
                .hasMessageContaining("the certificate at depth 0")
                .hasMessageContaining("expired on " + pki.leaf().certificate().getNotAfter().toInstant());
    }

    @Test
    void daneTaAcceptsSelfSignedRootSentByServer() throws Exception {
        DaneMatch match = set(record(2, 0, 1, PKI.root().certificate())).authenticate(PKI.fullChain(), new Date());

        assertThat(match.depth()).isEqualTo(2);
        assertThat(match.matchedWhat()).isEqualTo("trust-anchor certificate");
    }

    @Test
    void daneTaRecordMatchingSelfSignedServerCertificateIsAnAnchorAtDepthZero() throws Exception {
        TestCertificate selfSigned = TestCertificate.builder().dnsNames("mx.example.com").build();

        DaneMatch match = set(record(2, 1, 1, selfSigned.certificate())).authenticate(List.of(selfSigned.certificate()), new Date());

        assertThat(match.depth()).isZero();
        assertThat(match.requiresNameCheck()).isTrue();
    }

    @Test
    void daneTaRecordMatchingExpiredServerCertificateFails() {
        TestCertificate expired = TestCertificate.builder().dnsNames("mx.example.com").expired().build();

        assertThatThrownBy(() -> set(record(2, 1, 1, expired.certificate())).authenticate(List.of(expired.certificate()), new Date()))
                .hasMessageContaining("matched the trust anchor at depth 0")
                .hasMessageContaining("but it expired on");
    }

    @Test
    void daneTaFailsWhenServerDoesNotSendTheAnchor() {
        TlsaSet tlsa = set(record(2, 0, 1, PKI.root().certificate()));

        assertThatThrownBy(() -> tlsa.authenticate(PKI.chainWithoutRoot(), new Date()))
                .hasMessageStartingWith("no TLSA record of _25._tcp.mx.example.com matched")
                .hasMessageContaining("expected: 2 0 1 ");
    }

    @Test
    void daneTaFailsWhenServerSendsAnAnchorThatDidNotIssueItsChain() {
        TestPki other = TestPki.forServer("mx.example.com");
        List<X509Certificate> spliced = List.of(PKI.leaf().certificate(), other.intermediate().certificate());
        TlsaSet tlsa = set(record(2, 1, 1, other.intermediate().certificate()));

        assertThatThrownBy(() -> tlsa.authenticate(spliced, new Date()))
                .hasMessageContaining("matched the trust anchor at depth 1")
                .hasMessageContaining("its key did not sign the certificate at depth 0");
    }

    @Test
    void daneTaBuildsChainFromUnorderedCertificates() throws Exception {
        List<X509Certificate> unordered = List.of(PKI.leaf().certificate(), PKI.root().certificate(), PKI.intermediate().certificate());

        DaneMatch match = set(record(2, 1, 2, PKI.root().certificate())).authenticate(unordered, new Date());

        assertThat(match.depth()).isEqualTo(1);
    }

    @Test
    void noMatchMessageListsObservedDigestsNextToExpectedRecords() {
        TlsaRecord expected = wrongDigest(3, 1);
        String leafKeySha256 = record(3, 1, 1, PKI.leaf().certificate()).dataHex();

        assertThatThrownBy(() -> set(expected).authenticate(PKI.chainWithoutRoot(), new Date()))
                .hasMessage("no TLSA record of _25._tcp.mx.example.com matched; depth 0 SPKI sha256 = " + leafKeySha256
                        + "; expected: " + expected + ". Publish a TLSA record for the server's current key or certificate,"
                        + " or install the key the records name.");
    }

    @Test
    void noMatchMessageShowsEveryDepthForTrustAnchorRecords() {
        assertThatThrownBy(() -> set(wrongDigest(2, 0)).authenticate(PKI.fullChain(), new Date()))
                .hasMessageContaining("depth 0 Cert sha256 = " + record(2, 0, 1, PKI.leaf().certificate()).dataHex())
                .hasMessageContaining("depth 1 Cert sha256 = " + record(2, 0, 1, PKI.intermediate().certificate()).dataHex())
                .hasMessageContaining("depth 2 Cert sha256 = " + record(2, 0, 1, PKI.root().certificate()).dataHex());
    }

    @Test
    void digestAgilityIgnoresSha256RecordWhenSha512RecordOfSameUsageAndSelectorExists() {
        TlsaRecord matchingSha256 = record(3, 1, 1, PKI.leaf().certificate());
        TlsaRecord staleSha512 = TlsaRecord.of(3, 1, 2, new byte[64]);

        TlsaSet tlsa = set(matchingSha256, staleSha512);

        assertThat(tlsa.usableRecords()).containsExactly(staleSha512);
        assertThat(tlsa.ignoredRecords()).containsOnlyKeys(matchingSha256);
        assertThat(tlsa.ignoredRecords().get(matchingSha256)).contains("digest agility");
        assertThatThrownBy(() -> tlsa.authenticate(PKI.chainWithoutRoot(), new Date()))
                .hasMessageContaining("depth 0 SPKI sha512 = ")
                .hasMessageContaining("; ignored: " + matchingSha256 + " (a stronger digest (matching type 2) is published");
    }

    @Test
    void digestAgilityKeepsFullRecordsAndOtherSelectors() throws Exception {
        TlsaRecord full = record(3, 1, 0, PKI.leaf().certificate());
        TlsaRecord spkiSha512 = TlsaRecord.of(3, 1, 2, new byte[64]);
        TlsaRecord spkiSha256 = record(3, 1, 1, PKI.leaf().certificate());
        TlsaRecord certSha256 = record(3, 0, 1, PKI.leaf().certificate());
        TlsaRecord taSha256 = record(2, 1, 1, PKI.intermediate().certificate());

        TlsaSet tlsa = set(full, spkiSha512, spkiSha256, certSha256, taSha256);

        assertThat(tlsa.usableRecords()).containsExactly(full, spkiSha512, certSha256, taSha256);
        assertThat(tlsa.authenticate(PKI.chainWithoutRoot(), new Date()).record()).isEqualTo(full);
    }

    @Test
    void digestPreferenceCanFavourSha256AndDisableSha512() {
        TlsaRecord sha256 = record(3, 1, 1, PKI.leaf().certificate());
        TlsaRecord sha512 = record(3, 1, 2, PKI.leaf().certificate());

        TlsaSet tlsa = TlsaSet.builder().add(sha256).add(sha512).digestPreference(TlsaRecord.MATCHING_SHA256).build();

        assertThat(tlsa.usableRecords()).containsExactly(sha256);
        assertThat(tlsa.ignoredRecords().get(sha512)).contains("not in the local digest preference");
    }

    @Test
    void malformedRecordsAreUnusableNotFatal() throws Exception {
        TlsaRecord shortDigest = TlsaRecord.of(3, 1, 1, new byte[31]);
        TlsaRecord unknownUsage = TlsaRecord.of(7, 1, 1, new byte[32]);
        TlsaRecord unknownSelector = TlsaRecord.of(3, 9, 1, new byte[32]);
        TlsaRecord unknownMatchingType = TlsaRecord.of(3, 1, 9, new byte[32]);
        TlsaRecord pkixEe = record(1, 1, 1, PKI.leaf().certificate());
        TlsaRecord good = record(3, 1, 1, PKI.leaf().certificate());

        TlsaSet tlsa = set(shortDigest, unknownUsage, unknownSelector, unknownMatchingType, pkixEe, good);

        assertThat(tlsa.usableRecords()).containsExactly(good);
        assertThat(tlsa.ignoredRecords()).containsOnlyKeys(shortDigest, unknownUsage, unknownSelector, unknownMatchingType, pkixEe);
        assertThat(tlsa.ignoredRecords().get(shortDigest)).isEqualTo("SHA2-256 data must be 32 bytes, not 31");
        assertThat(tlsa.authenticate(PKI.chainWithoutRoot(), new Date()).record()).isEqualTo(good);
    }

    @Test
    void setOfOnlyUnusableRecordsAuthenticatesNothing() {
        TlsaSet tlsa = set(record(0, 0, 1, PKI.root().certificate()), TlsaRecord.of(3, 1, 2, new byte[3]));

        assertThat(tlsa.hasUsableRecords()).isFalse();
        assertThatThrownBy(() -> tlsa.authenticate(PKI.fullChain(), new Date()))
                .hasMessageStartingWith("_25._tcp.mx.example.com has no usable TLSA record");
    }

    @Test
    void baseDomainIsNormalisedIntoOwnerName() {
        TlsaSet tlsa = TlsaSet.builder().baseDomain("MX.Example.COM.", 587).build();

        assertThat(tlsa.baseDomain()).isEqualTo("mx.example.com");
        assertThat(tlsa.ownerName()).isEqualTo("_587._tcp.mx.example.com");
    }

    @Test
    void emptyChainIsRejected() {
        assertThatThrownBy(() -> set(record(3, 1, 1, PKI.leaf().certificate())).authenticate(List.of(), new Date()))
                .hasMessage("the server sent no certificate");
    }
}
