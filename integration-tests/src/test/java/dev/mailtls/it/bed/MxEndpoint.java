package dev.mailtls.it.bed;

import java.net.InetSocketAddress;

/**
 * The SMTP listeners of the bed, each on its own loopback address and port 25, so that the
 * address record of an MX host alone chooses how that host behaves.
 */
public enum MxEndpoint {
  /** Postfix offering STARTTLS with the MX chain. */
  POSTFIX_TLS("127.0.0.2"),
  /** Postfix without STARTTLS. */
  POSTFIX_PLAIN("127.0.0.3"),
  /** The Java proxy that strips STARTTLS, in front of {@link #POSTFIX_TLS}. */
  STRIP_PROXY("127.0.0.4"),
  /** The Java proxy that answers STARTTLS with 454, in front of {@link #POSTFIX_TLS}. */
  FAIL_PROXY("127.0.0.5"),
  /**
   * Postfix with STARTTLS and the MX chain that asks every client for a certificate
   * ({@code smtpd_tls_ask_ccert}) and verifies it against the bed's client CA
   * ({@link BedCertificates#clientCaFile()}), but requires none: the log and the
   * {@code Received} header say whether one was presented and verified.
   */
  POSTFIX_CLIENT_CERT("127.0.0.6");

  /** Every MX listens on 25: the port is part of the TLSA owner name {@code _25._tcp.<mx>}. */
  public static final int SMTP_PORT = 25;
  /**
   * Implicit TLS ({@code smtps}, TLS on connect, RFC 8314), only on {@link #POSTFIX_TLS}; its
   * TLSA records are at {@code _465._tcp.<mx>}.
   */
  public static final int SMTPS_PORT = 465;

  private final String ip;

  MxEndpoint(String ip) {
    this.ip = ip;
  }

  /** The IPv4 address, as published in the A records of the MX hosts. */
  public String ip() {
    return ip;
  }

  /** Address and port 25. */
  public InetSocketAddress address() {
    return new InetSocketAddress(ip, SMTP_PORT);
  }

  /** Address and port 465 ({@link #POSTFIX_TLS} only: nothing else listens there). */
  public InetSocketAddress smtpsAddress() {
    if (this != POSTFIX_TLS) {
      throw new IllegalStateException("only " + POSTFIX_TLS + " listens on port " + SMTPS_PORT + ", not " + this);
    }
    return new InetSocketAddress(ip, SMTPS_PORT);
  }
}
