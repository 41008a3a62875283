package dev.mailtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.testing.TestCertificate;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceIdentifiersTest {
    private static X509Certificate withSan(String... names) {
        return TestCertificate.builder().dnsNames(names).build().certificate();
    }

    @ParameterizedTest(name = "{0} vs {1}: {2}")
    @CsvSource({
        "*.example.com, mx.example.com, true",
        "mx.example.com, .example.com, true",
        "a.b.example.com, .example.com, true",
        "example.com, .example.com, false",
        "mx.example.org, .example.com, false",
        "mx.badexample.com, .example.com, false",
        "*.example.com, .example.com, true",
        "*.mx.example.com, .example.com, true",
        "*.com, .example.com, false",
        "*.example.com, a.b.example.com, false",
        "*.example.com, example.com, false",
        "m*.example.com, mx.example.com, false",
        "*x.example.com, mx.example.com, false",
        "mx.*.com, mx.example.com, false",
        "*.com, example.com, false",
        "mx.example.com, mx.example.com, true",
        "MX.Example.COM., mx.example.com, true",
        "mx.example.com, mx2.example.com, false",
    })
    void wildcardOnlyAsWholeLeftmostLabelMatchingExactlyOneLabel(String presented, String reference, boolean matches) {
        assertThat(ReferenceIdentifiers.of(reference).matchedBy(withSan(presented)) != null).isEqualTo(matches);
    }

    @Test
    void commonNameCountsWhenThereAreNoSanDnsNames() {
        X509Certificate cnOnly = TestCertificate.builder().commonName("mx.example.com").build().certificate();

        assertThat(ReferenceIdentifiers.of("mx.example.com").matchedBy(cnOnly)).isEqualTo("mx.example.com");
        assertThat(ReferenceIdentifiers.presentedNames(cnOnly)).containsExactly("mx.example.com");
    }

    @Test
    void commonNameIgnoredWhenSanDnsNamesExist() {
        X509Certificate both = TestCertificate.builder().commonName("mx.example.com").dnsNames("other.example.net").build().certificate();

        assertThat(ReferenceIdentifiers.of("mx.example.com").matchedBy(both)).isNull();
        assertThat(ReferenceIdentifiers.of("other.example.net").matchedBy(both)).isEqualTo("other.example.net");
    }

    @Test
    void returnsFirstReferenceIdentifierThatMatches() {
        X509Certificate certificate = withSan("example.com", "mx.example.com");

        assertThat(ReferenceIdentifiers.of("nomatch.example.org", "mx.example.com", "example.com").matchedBy(certificate))
                .isEqualTo("mx.example.com");
    }

    @Test
    void certificateWithoutNamesMatchesNothing() {
        assertThat(ReferenceIdentifiers.of("mx.example.com").matchedBy(TestCertificate.builder().build().certificate())).isNull();
    }

    @Test
    void namesAreNormalisedAndDeduplicatedWithBaseDomainFirst() {
        ReferenceIdentifiers names = ReferenceIdentifiers.of("Example.COM.", "mx.example.com").withFirst("MX.example.com");

        assertThat(names.names()).containsExactly("mx.example.com", "example.com");
        assertThat(names).hasToString("mx.example.com, example.com");
    }

    @Test
    void internationalisedReferenceIsComparedInALabelForm() {
        X509Certificate certificate = withSan("xn--bcher-kva.example");

        assertThat(ReferenceIdentifiers.of("bücher.example").matchedBy(certificate)).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void wildcardReferenceIdentifiersAreRejected() {
        assertThatThrownBy(() -> ReferenceIdentifiers.of("*.example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"*.example.com\" contains a wildcard");
    }
}
