package dev.mailtls.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Properties;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * The client certificate a JVM presents by default: the key store named by the standard
 * {@code javax.net.ssl.keyStore} system properties, which the JDK's default SSL context uses. An
 * application that relies on them (an SMTP relay that authenticates clients by certificate) keeps
 * its certificate under MailTLS Guard: only the trust decision is replaced, not the key material.
 */
public final class ClientKeys {
    private ClientKeys() {
    }

    /** The key managers of this JVM's {@code javax.net.ssl.keyStore*} system properties, or {@code null} when none is set. */
    public static KeyManager[] fromSystemProperties() throws IOException, GeneralSecurityException {
        return from(System.getProperties());
    }

    /**
     * The key managers of {@code javax.net.ssl.keyStore}, {@code keyStoreType} (default: the JVM's
     * default type), {@code keyStorePassword} and {@code keyStoreProvider} in {@code properties}, or
     * {@code null} when no key store is named (or it is {@code NONE}, a PKCS#11 token the JDK opens itself).
     *
     * @throws IOException naming the key store when it cannot be read
     */
    public static KeyManager[] from(Properties properties) throws IOException, GeneralSecurityException {
        String file = properties.getProperty("javax.net.ssl.keyStore");
        if (file == null || file.trim().isEmpty() || file.equals("NONE")) {
            return null;
        }
        String type = properties.getProperty("javax.net.ssl.keyStoreType", KeyStore.getDefaultType());
        String provider = properties.getProperty("javax.net.ssl.keyStoreProvider");
        String passwordText = properties.getProperty("javax.net.ssl.keyStorePassword");
        char[] password = passwordText == null ? null : passwordText.toCharArray();
        KeyStore store = provider == null || provider.isEmpty() ? KeyStore.getInstance(type) : KeyStore.getInstance(type, provider);
        try (InputStream in = Files.newInputStream(Paths.get(file))) {
            store.load(in, password);
        } catch (IOException unreadable) {
            throw new IOException("client key store " + file + " (javax.net.ssl.keyStore) cannot be read: "
                    + unreadable.getMessage(), unreadable);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
    }
}
