package dev.mailtls.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.testing.TestCertificate;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class TlsaRecordParsingTest {
    @Test
    void parsesPresentationFormWithHexSplitLikeDig() {
        TlsaRecord record = TlsaRecord.parse(" 3 1 1 0c72ac70b745ac19998811b131d662c9 ac69dbdbe7cb23e5b514b56664c5d3d6 ");

        assertThat(record.usage()).isEqualTo(3);
        assertThat(record.selector()).isEqualTo(1);
        assertThat(record.matchingType()).isEqualTo(1);
        assertThat(record.toString()).isEqualTo("3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6");
        assertThat(record.isUsableForSmtp()).isTrue();
    }

    @Test
    void parsesUnusableRecordsWithoutComplaint() {
        TlsaRecord record = TlsaRecord.parse("9 1 1 ABCD");

        assertThat(record.isUsableForSmtp()).isFalse();
        assertThat(record.unusableReason()).isEqualTo("unknown certificate usage 9");
    }

    @Test
    void rejectsTextThatIsNotATlsaRecordQuotingIt() {
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 1")).hasMessageContaining("\"3 1 1\" must be \"USAGE SELECTOR MATCHING-TYPE HEX\"");
        assertThatThrownBy(() -> TlsaRecord.parse("3 x 1 AB")).hasMessageContaining("selector \"x\" is not a number");
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 256 AB")).hasMessageContaining("matching type must be 0 to 255, not 256");
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 1 ABC")).hasMessageContaining("odd number of hex digits");
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 1 ZZ")).hasMessageContaining("\"ZZ\" is not hex");
    }

    @Test
    void forCertificateHashesTheSubjectPublicKeyInfo() throws Exception {
        TestCertificate certificate = TestCertificate.builder().commonName("mx.example.com").build();
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(certificate.certificate().getPublicKey().getEncoded());

        TlsaRecord record = TlsaRecord.forCertificate(3, 1, 1, certificate.certificate());

        assertThat(record.data()).isEqualTo(expected);
    }

    @Test
    void forCertificateRejectsUnknownSelector() {
        TestCertificate certificate = TestCertificate.builder().build();

        assertThatThrownBy(() -> TlsaRecord.forCertificate(3, 2, 1, certificate.certificate()))
                .hasMessage("unknown TLSA selector 2; known: 0 (Cert), 1 (SPKI)");
    }
}
