package dev.mailtls.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How TLS connections are made: the protocol versions offered, and the trust store used for PKIX
 * verification at the {@code verify} and {@code secure} levels (and for DANE-less fallbacks to
 * them). Immutable; made by the configuration loader.
 */
public final class TlsSettings {
    private final List<String> protocols;
    private final String trustStorePath;
    private final TrustStore trustStore;

    public TlsSettings(List<String> protocols, String trustStorePath) {
        this(protocols, trustStorePath, null);
    }

    /** With the trust store at {@code trustStorePath} already read (the configuration loader checks it so). */
    public TlsSettings(List<String> protocols, String trustStorePath, TrustStore trustStore) {
        this.protocols = Collections.unmodifiableList(new ArrayList<String>(protocols));
        this.trustStorePath = trustStorePath;
        this.trustStore = trustStore;
    }

    /** The JSSE protocol names to enable, e.g. {@code [TLSv1.3, TLSv1.2]}. */
    public List<String> protocols() {
        return protocols;
    }

    /**
     * A PEM bundle or a key store (PKCS12 or JKS) of trusted CA certificates, or {@code null} for
     * the JDK's default trust store.
     */
    public String trustStorePath() {
        return trustStorePath;
    }

    /** The trust store read from {@link #trustStorePath()} when it was read already, else {@code null}. */
    public TrustStore trustStore() {
        return trustStore;
    }
}
