package dev.mailtls.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DnsStatusTest {
    @Test
    void chainIsSecureOnlyWhenEveryHopIs() {
        assertThat(DnsStatus.SECURE.then(DnsStatus.SECURE)).isEqualTo(DnsStatus.SECURE);
        assertThat(DnsStatus.SECURE.then(DnsStatus.INSECURE)).isEqualTo(DnsStatus.INSECURE);
        assertThat(DnsStatus.INSECURE.then(DnsStatus.SECURE)).isEqualTo(DnsStatus.INSECURE);
    }

    @Test
    void failureAnywhereFailsTheChain() {
        assertThat(DnsStatus.SECURE.then(DnsStatus.BOGUS)).isEqualTo(DnsStatus.BOGUS);
        assertThat(DnsStatus.INSECURE.then(DnsStatus.INDETERMINATE)).isEqualTo(DnsStatus.INDETERMINATE);
        assertThat(DnsStatus.BOGUS.then(DnsStatus.SECURE)).isEqualTo(DnsStatus.BOGUS);
    }

    @Test
    void onlySecureAndInsecureAreAnswers() {
        assertThat(DnsStatus.SECURE.isAnswer()).isTrue();
        assertThat(DnsStatus.INSECURE.isAnswer()).isTrue();
        assertThat(DnsStatus.BOGUS.isAnswer()).isFalse();
        assertThat(DnsStatus.INDETERMINATE.isAnswer()).isFalse();
    }
}
