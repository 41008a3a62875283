/**
 * Apache James integration: a recipient matcher that routes mail by TLS policy and a delivery mailet
 * that enforces the policy engine's decisions on its own SMTP connections. Built once for James 3.9
 * (jakarta) and, by a build-time namespace transformation, for James 3.8 (javax).
 */
package dev.mailtls.james;
