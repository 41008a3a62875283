package dev.mailtls.tls;

import java.lang.ref.WeakReference;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client trust manager of MailTLS Guard: checks each server chain against one
 * {@link VerificationRequirement}, records the {@link VerificationOutcome} in the handshake
 * session, and aborts the handshake with a {@link CertificateVerificationException} when an
 * enforced requirement is not met.
 *
 * <p>It extends {@link X509ExtendedTrustManager} on purpose: the JDK wraps a plain
 * {@code X509TrustManager} and adds its own host-name check, which would reject DANE-EE servers
 * (whose certificates need not carry the host name) and duplicate the name rules applied here.
 *
 * <p>Thread-safe and stateless between connections, so one instance serves every connection of
 * an {@code SSLContext}: the per-connection record goes into the handshake session of the socket or
 * engine the JDK passes in ({@link VerificationOutcome#of(SSLSession)} reads it back). The
 * two-argument {@link #checkServerTrusted(X509Certificate[], String)} has no session to record in;
 * the outcome is then available only from a failure.
 *
 * <p>Client side only: the client-certificate checks always throw.
 */
public final class VerifyingTrustManager extends X509ExtendedTrustManager {
    private final VerificationRequirement requirement;

    public VerifyingTrustManager(VerificationRequirement requirement) {
        if (requirement == null) {
            throw new NullPointerException("requirement");
        }
        this.requirement = requirement;
    }

    public VerificationRequirement requirement() {
        return requirement;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verify(chain, engine == null ? null : engine.getHandshakeSession(), engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, null, null);
    }

    private void verify(X509Certificate[] chain, SSLSession handshakeSession, Object connection) throws CertificateException {
        List<X509Certificate> peer = chain == null ? Collections.<X509Certificate>emptyList() : Arrays.asList(chain);
        VerificationOutcome outcome = requirement.evaluate(peer);
        if (handshakeSession != null) {
            handshakeSession.putValue(VerificationOutcome.SESSION_KEY, outcome);
            // Weak: the session outlives the socket in the session cache.
            handshakeSession.putValue(VerificationOutcome.CONNECTION_KEY, new WeakReference<Object>(connection));
        }
        if (!outcome.isAccepted()) {
            throw new CertificateVerificationException(outcome);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw serverSideUse();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw serverSideUse();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw serverSideUse();
    }

    private static CertificateException serverSideUse() {
        return new CertificateException("MailTLS Guard's trust manager verifies SMTP servers only;"
                + " it was installed in a TLS server, which must keep its own trust manager for client certificates");
    }

    /** None: a client never asks its peer for certificates by issuer. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    @Override
    public String toString() {
        return "VerifyingTrustManager[" + requirement + "]";
    }
}
