/**
 * The TLS side of a connection decision: what a server certificate must satisfy
 * ({@link dev.mailtls.tls.VerificationRequirement}: DANE, PKIX or any), the trust manager that
 * enforces and records it ({@link dev.mailtls.tls.VerifyingTrustManager}), and the per-destination
 * client context that sets SNI and protocols ({@link dev.mailtls.tls.ClientTlsContext}).
 *
 * <p>Typical use for a DANE destination:
 * <pre>{@code
 * TlsaSet tlsa = TlsaSet.builder().baseDomain("mx.example.com", 25).addAll(records).build();
 * VerificationRequirement requirement = VerificationRequirement.dane(tlsa, ReferenceIdentifiers.of("example.com"));
 * ClientTlsContext tls = ClientTlsContext.builder(requirement).settings(settings).serverName(tlsa.baseDomain()).build();
 * SSLSocket socket = (SSLSocket) tls.socketFactory().createSocket(plain, host, port, true);
 * socket.startHandshake();                       // throws with a CertificateVerificationException cause on mismatch
 * VerificationOutcome outcome = VerificationOutcome.of(socket.getSession());
 * }</pre>
 */
package dev.mailtls.tls;
