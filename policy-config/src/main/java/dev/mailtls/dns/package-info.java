/**
 * DNS with DNSSEC for the policy engine.
 *
 * <p>{@link dev.mailtls.dns.DnssecResolver} asks the configured servers and labels every answer
 * secure, insecure, bogus or indeterminate ({@link dev.mailtls.dns.DnsStatus}), in one of two
 * {@link dev.mailtls.dns.DnssecMode}s. {@link dev.mailtls.dns.DestinationResolver} applies RFC 7672
 * on top: MX hosts of a destination ({@link dev.mailtls.dns.MxLookup}), then per host its addresses
 * and the {@link dev.mailtls.dns.TlsaOutcome} the policy layer switches on.
 */
package dev.mailtls.dns;
