package dev.mailtls.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A CA and a server certificate made by the JDK's {@code keytool} in a temporary directory. The
 * agent's tests cannot use the Bouncy Castle test PKI of policy-config (no test dependency), and
 * the CLI reads PEM files anyway: keytool writes exactly what an operator would have.
 */
final class KeytoolChain {
    final Path serverPem;
    final Path chainPem;
    final X509Certificate server;
    final X509Certificate ca;

    private KeytoolChain(Path serverPem, Path chainPem) throws IOException, CertificateException {
        this.serverPem = serverPem;
        this.chainPem = chainPem;
        List<X509Certificate> chain = TlsaCommand.readCertificates(chainPem.toString());
        this.server = chain.get(0);
        this.ca = chain.get(1);
    }

    /** A CA "Keytool Test CA" and, signed by it, a server certificate for {@code serverName}. */
    static KeytoolChain create(Path directory, String serverName) throws IOException, InterruptedException, CertificateException {
        Path store = directory.resolve("keys.p12");
        keytool(directory, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Keytool Test CA",
                "-ext", "bc:c", "-validity", "30", "-keystore", store.toString());
        keytool(directory, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + serverName,
                "-validity", "30", "-keystore", store.toString());
        keytool(directory, "-certreq", "-alias", "server", "-file", "server.csr", "-keystore", store.toString());
        keytool(directory, "-gencert", "-alias", "ca", "-infile", "server.csr", "-outfile", "server.pem", "-rfc",
                "-ext", "san=dns:" + serverName, "-validity", "30", "-keystore", store.toString());
        keytool(directory, "-exportcert", "-alias", "ca", "-rfc", "-file", "ca.pem", "-keystore", store.toString());
        Path serverPem = directory.resolve("server.pem");
        Path chainPem = directory.resolve("chain.pem");
        Files.writeString(chainPem, Files.readString(serverPem) + Files.readString(directory.resolve("ca.pem")));
        return new KeytoolChain(serverPem, chainPem);
    }

    /** The hex of a SHA-256 digest of the certificate's key (selector 1) or whole DER (selector 0), as TLSA data. */
    static String sha256(X509Certificate certificate, int selector) throws Exception {
        byte[] selected = selector == 1 ? certificate.getPublicKey().getEncoded() : certificate.getEncoded();
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(selected));
    }

    private static void keytool(Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", "changeit", "-storetype", "PKCS12", "-noprompt"));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
