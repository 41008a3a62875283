package dev.mailtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.testing.TestCertificate;
import dev.mailtls.testing.TestTlsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientKeysTest {
    @TempDir
    Path dir;

    @Test
    void noKeyStorePropertyMeansNoClientCertificate() throws Exception {
        assertThat(ClientKeys.from(new Properties())).isNull();
    }

    @Test
    void keyStoreOfTheStandardPropertiesIsPresentedWhileOurTrustManagerDecides() throws Exception {
        TestCertificate client = TestCertificate.builder().commonName("client.example").build();
        Path store = dir.resolve("client.p12");
        try (OutputStream out = Files.newOutputStream(store)) {
            client.keyStore("client", "secret".toCharArray(), List.of(client.certificate())).store(out, "secret".toCharArray());
        }
        Properties properties = new Properties();
        properties.setProperty("javax.net.ssl.keyStore", store.toString());
        properties.setProperty("javax.net.ssl.keyStoreType", "PKCS12");
        properties.setProperty("javax.net.ssl.keyStorePassword", "secret");
        TestCertificate server = TestCertificate.builder().dnsNames("mx.example").build();

        try (TestTlsServer tls = TestTlsServer.start(server, List.of(server.certificate()), true)) {
            ClientTlsContext context = ClientTlsContext.builder(VerificationRequirement.anyCertificate(null))
                    .serverName("mx.example").keyManagers(ClientKeys.from(properties)).build();
            try (Socket plain = new Socket(tls.address(), tls.port());
                    SSLSocket socket = (SSLSocket) context.socketFactory().createSocket(plain, "mx.example", tls.port(), true)) {
                socket.startHandshake();
            }

            assertThat(tls.nextHandshake().clientChain()).containsExactly(client.certificate());
        }
    }

    @Test
    void unreadableKeyStoreNamesTheFile() {
        Properties properties = new Properties();
        properties.setProperty("javax.net.ssl.keyStore", dir.resolve("missing.p12").toString());

        assertThatThrownBy(() -> ClientKeys.from(properties)).isInstanceOf(IOException.class)
                .hasMessageContaining("missing.p12 (javax.net.ssl.keyStore) cannot be read");
    }
}
