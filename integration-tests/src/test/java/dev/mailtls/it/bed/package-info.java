/**
 * The loopback test bed of the integration tests: real Knot DNS, Unbound and Postfix daemons
 * plus STARTTLS downgrade proxies and a DNS black hole, all on 127.0.0.0/8.
 *
 * <p>Start with {@link dev.mailtls.it.bed.TestBed#shared()}; the test domains and what a
 * DANE client should do with each are in {@link dev.mailtls.it.bed.TestDomains}. See
 * {@code integration-tests/README.md} for the layout, the addresses and the pitfalls handled.
 */
package dev.mailtls.it.bed;
