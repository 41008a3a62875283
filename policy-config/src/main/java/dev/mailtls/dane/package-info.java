/**
 * DANE for SMTP (RFC 7672, RFC 7671): TLSA records, the usability and digest-agility rules that
 * turn a DNSSEC-secure RRset into a {@link dev.mailtls.dane.TlsaSet}, and matching a server's
 * certificate chain against it. DNS lookups live in {@code dev.mailtls.dns}; name checks, PKIX and
 * the TLS plumbing in {@code dev.mailtls.tls}.
 */
package dev.mailtls.dane;
