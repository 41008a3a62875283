package dev.mailtls.it.bed;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the test bed keeps its files and which loopback addresses its servers use.
 *
 * <p>The state directory defaults to {@code /tmp/mailtls-bed} and is overridden by the
 * environment variable {@code MAILTLS_BED_DIR}. It is deliberately not under the build folder:
 * CI clones into folders whose parents may be mode 0700, and Postfix's own user (queue) and
 * uid 65534 (Maildirs) must be able to traverse every parent. The DNS ports can be moved with
 * {@code MAILTLS_BED_KNOT_PORT}, {@code MAILTLS_BED_RESOLVER_PORT} and
 * {@code MAILTLS_BED_BLACKHOLE_PORT}; the SMTP listeners stay on port 25 because that port is
 * part of every TLSA owner name ({@code _25._tcp.<mx>}).
 */
public final class BedLayout {

  /** Default state directory; see the class comment for why it is under /tmp. */
  public static final String DEFAULT_DIR = "/tmp/mailtls-bed";

  private final Path dir;
  private final InetSocketAddress knot;
  private final InetSocketAddress resolver;
  private final InetSocketAddress blackHole;

  BedLayout(Path dir, int knotPort, int resolverPort, int blackHolePort) {
    if (!dir.isAbsolute() || dir.getNameCount() < 2) {
      // The bed deletes and recreates its sub-directories: refuse "/" or "/tmp" itself.
      throw new IllegalArgumentException(
          "test bed directory must be an absolute path at least two levels deep, got " + dir
              + "; set MAILTLS_BED_DIR to e.g. /tmp/mailtls-bed");
    }
    this.dir = dir.normalize();
    this.knot = new InetSocketAddress("127.0.0.1", knotPort);
    this.resolver = new InetSocketAddress("127.0.0.1", resolverPort);
    this.blackHole = new InetSocketAddress("127.0.0.1", blackHolePort);
  }

  /** The layout from the environment (see the class comment), with the defaults otherwise. */
  public static BedLayout fromEnvironment() {
    Map<String, String> env = System.getenv();
    String dir = env.getOrDefault("MAILTLS_BED_DIR", "");
    return new BedLayout(
        Path.of(dir.isBlank() ? DEFAULT_DIR : dir).toAbsolutePath(),
        port(env, "MAILTLS_BED_KNOT_PORT", 5300),
        port(env, "MAILTLS_BED_RESOLVER_PORT", 5301),
        port(env, "MAILTLS_BED_BLACKHOLE_PORT", 5399));
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + "=" + value + " is not a port number (1-65535)");
  }

  /** The state directory (mode 755). */
  public Path dir() {
    return dir;
  }

  /** Knot DNS, authoritative for {@code test.} and {@code insecure.test.} (UDP and TCP). */
  public InetSocketAddress knotAddress() {
    return knot;
  }

  /** Unbound, the validating resolver the tests query (UDP and TCP). */
  public InetSocketAddress resolverAddress() {
    return resolver;
  }

  /** A DNS server that accepts queries (UDP and TCP) and never answers. */
  public InetSocketAddress blackHoleAddress() {
    return blackHole;
  }

  /** Certificates, keys and chains made by {@link BedCertificates}. */
  public Path certsDir() {
    return dir.resolve("certs");
  }

  /** Zone files, zone keys and the exported trust anchor. */
  public Path dnsDir() {
    return dir.resolve("dns");
  }

  /** The trust anchor of {@code test.} as a DS record in zone-file syntax. */
  public Path trustAnchorDsFile() {
    return dnsDir().resolve("test.ds");
  }

  /** The trust anchor of {@code test.} as DNSKEY records (the KSK) in zone-file syntax. */
  public Path trustAnchorDnskeyFile() {
    return dnsDir().resolve("test.dnskey");
  }

  /** Knot's configuration, database, pid file and log. */
  public Path knotDir() {
    return dir.resolve("knot");
  }

  /** Unbound's configuration, pid file and log. */
  public Path unboundDir() {
    return dir.resolve("unbound");
  }

  /** Postfix's private configuration directory, queue and log. */
  public Path postfixDir() {
    return dir.resolve("postfix");
  }

  /** Postfix's log file ({@code maillog_file}). */
  public Path postfixLog() {
    return postfixDir().resolve("maillog");
  }

  /** Root of the catch-all Maildirs: one directory per test domain. */
  public Path mailRoot() {
    return dir.resolve("mail");
  }

  /** The hosts file for {@code -Djdk.net.hosts.file}. */
  public Path hostsFile() {
    return dir.resolve("hosts");
  }

  /** The Java properties file describing the running bed ({@link BedProperties}). */
  public Path propertiesFile() {
    return dir.resolve("bed.properties");
  }

  @Override
  public String toString() {
    return "BedLayout[dir=" + dir + ", knot=" + knot + ", resolver=" + resolver
        + ", blackHole=" + blackHole + "]";
  }
}
