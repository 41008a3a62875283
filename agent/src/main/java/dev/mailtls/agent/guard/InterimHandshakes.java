package dev.mailtls.agent.guard;

import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.TlsLevel;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The handshake policy until the policy engine's DANE and PKIX verification is wired in: levels
 * that need no authentication ({@code may}, {@code encrypt}, and {@code audit}) accept the
 * server's certificate; every level that needs authentication fails closed.
 */
final class InterimHandshakes implements HandshakeFactory {
    @Override
    public SSLSocketFactory socketFactory(final ConnectionAttempt attempt, int port) throws IOException {
        final TlsLevel level = attempt.match.policy().level();
        final boolean authenticate = level != TlsLevel.NONE && level != TlsLevel.MAY && level != TlsLevel.ENCRYPT
                && attempt.match.policy().action() != PolicyAction.AUDIT;
        X509ExtendedTrustManager trust = new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                check();
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                check();
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check();
            }

            private void check() throws CertificateException {
                if (authenticate) {
                    String why = "certificate verification for level " + level + " is not available in this build";
                    attempt.refusal.set(why);
                    throw new CertificateException(why);
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException unavailable) {
            throw new IOException("MailTLS Guard: cannot set up TLS: " + unavailable, unavailable);
        }
    }
}
