package dev.mailtls.demo;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An SMTP server's key: an EC P-256 key pair with a self-signed certificate, made at run time by the
 * JDK's own {@code keytool} (the agent jar carries no certificate-building library). Under DANE-EE
 * a self-signed certificate is as good as any: the TLSA record pins the key, names and issuers do
 * not matter (RFC 7672 §3.1.1).
 */
final class ServerKey {
    /** The key store only lives in the demo's temporary folder; its password protects nothing. */
    private static final char[] STORE_PASSWORD = "mailtls-demo".toCharArray();
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    private final SSLContext tls;
    private final byte[] publicKeySha256;

    private ServerKey(SSLContext tls, byte[] publicKeySha256) {
        this.tls = tls;
        this.publicKeySha256 = publicKeySha256;
    }

    /** Starts {@code keytool} making a key store {@code file} for {@code names} (the first is the subject CN). */
    static Process startKeytool(Path file, List<String> names) throws IOException {
        StringBuilder san = new StringBuilder();
        for (String name : names) {
            san.append(san.length() == 0 ? "SAN=" : ",").append("dns:").append(name);
        }
        String keytool = new File(new File(System.getProperty("java.home"), "bin"), "keytool").getPath();
        List<String> command = new ArrayList<String>(Arrays.asList(keytool, "-genkeypair", "-alias", "server",
                "-keyalg", "EC", "-keysize", "256", "-sigalg", "SHA256withECDSA", "-validity", "2",
                "-dname", "CN=" + names.get(0), "-ext", san.toString(), "-keystore", file.toString(),
                "-storetype", "PKCS12", "-storepass", new String(STORE_PASSWORD), "-noprompt"));
        Path log = file.resolveSibling(file.getFileName() + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits for {@code keytool} (from {@link #startKeytool}) and loads the key store it made. */
    static ServerKey load(Process keytool, Path file) throws IOException, GeneralSecurityException, InterruptedException {
        if (!keytool.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            keytool.destroyForcibly();
            throw new IOException("keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
        }
        if (keytool.exitValue() != 0) {
            byte[] log = Files.readAllBytes(file.resolveSibling(file.getFileName() + ".log"));
            throw new IOException("keytool failed (exit " + keytool.exitValue() + "): "
                    + new String(log, StandardCharsets.UTF_8).trim());
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, STORE_PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, STORE_PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        X509Certificate certificate = (X509Certificate) store.getCertificate("server");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
        return new ServerKey(tls, digest);
    }

    /** The server side of TLS with this key. */
    SSLContext tls() {
        return tls;
    }

    /** The data of this key's TLSA record {@code 3 1 1}: SHA-256 of the SubjectPublicKeyInfo. */
    byte[] publicKeySha256() {
        return publicKeySha256.clone();
    }
}
