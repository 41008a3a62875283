package dev.mailtls.it.bed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * The loopback test bed: Knot DNS serving the signed zone {@code test.}, a validating Unbound,
 * Postfix receiving mail for every {@link TestDomains test domain}, the STARTTLS downgrade
 * proxies and a DNS black hole, all on 127.0.0.0/8 and nothing off loopback.
 *
 * <p>{@link #shared()} starts it once per JVM, lazily, for the first test that needs it, and a
 * shutdown hook stops it. Bring-up order is DNS, Unbound, Postfix, proxies; each daemon's port
 * is checked free before and the daemon checked alive and answering after its start; daemons
 * left by an earlier, killed run are found through their pid files and stopped first. On any
 * failure everything already started is stopped again and the error carries the daemon's own
 * messages. Needs root (port 25, Postfix) and the packages of
 * {@code scripts/testbed/install-packages}.
 */
public final class TestBed {

  /** How long to wait for another JVM's bed in the same directory to stop. */
  private static final Duration LOCK_WAIT = Duration.ofMinutes(10);

  private static TestBed shared;
  private static RuntimeException sharedFailure;

  private final BedLayout layout;
  private final Deque<Runnable> stopActions = new ArrayDeque<>();
  private final Map<String, Long> timings = new LinkedHashMap<>();
  private BedCertificates certificates;
  private SignedTestZone zone;
  private KnotServer knot;
  private UnboundResolver unbound;
  private PostfixServer postfix;
  private StarttlsProxy stripProxy;
  private StarttlsProxy failProxy;
  private DnsBlackHole blackHole;
  private MailLog mailLog;
  private Mailboxes mailboxes;
  private Properties properties;
  private FileLock lock;
  private volatile boolean stopped;

  private TestBed(BedLayout layout) {
    this.layout = layout;
  }

  /**
   * The bed of this JVM, started on the first call (a few seconds) and stopped at JVM exit.
   * If the start failed, every later call fails at once with the same cause.
   */
  public static synchronized TestBed shared() {
    if (sharedFailure != null) {
      throw new BedStartupException("the test bed failed to start earlier in this JVM: "
          + sharedFailure.getMessage(), sharedFailure);
    }
    if (shared == null) {
      try {
        TestBed bed = start(BedLayout.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(bed::stop, "mailtls-bed-shutdown"));
        shared = bed;
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    }
    shared.requireRunning();
    return shared;
  }

  /** Starts a bed in {@code layout}; the caller must {@link #stop()} it. Prefer {@link #shared()}. */
  public static TestBed start(BedLayout layout) {
    TestBed bed = new TestBed(layout);
    long begin = System.nanoTime();
    try {
      bed.bringUp();
    } catch (IOException e) {
      bed.stop();
      throw new BedStartupException("test bed bring-up failed in " + layout.dir() + ": " + e, e);
    } catch (RuntimeException | Error e) {
      bed.stop();
      throw e;
    }
    System.err.printf("[mailtls-bed] up in %.1f s (%s) at %s%n", (System.nanoTime() - begin) / 1e9,
        bed.timings.entrySet().stream().map(t -> t.getKey() + " " + t.getValue() + " ms")
            .collect(Collectors.joining(", ")), layout.dir());
    return bed;
  }

  private void bringUp() throws IOException {
    requireRoot();
    step("lock", this::lockDirectory);
    step("stale", () -> {
      PostfixServer.stopStale(layout);
      UnboundResolver.stopStale(layout);
      KnotServer.stopStale(layout);
    });
    step("dir", this::prepareDirectory);
    List<String> mxNames = new ArrayList<>(List.of("mx." + TestDomains.DANE_OK));
    TestDomains.ALL.stream().map(TestDomain::ownHost)
        .filter(h -> h != null && !mxNames.contains(h)).forEach(mxNames::add);
    step("certs", () -> certificates = BedCertificates.create(layout.certsDir(), mxNames));
    step("zone", () -> {
      zone = SignedTestZone.build(TestDomains.ALL, certificates, layout.knotAddress().getHostString());
      zone.write(layout);
    });
    List<String> zones = new ArrayList<>(List.of("test"));
    zones.addAll(zone.childZones().keySet());
    step("knot", () -> {
      knot = new KnotServer(layout, zones);
      stopActions.push(knot::stop);
      knot.start();
    });
    step("unbound", () -> {
      unbound = new UnboundResolver(layout, zones);
      stopActions.push(unbound::stop);
      unbound.start();
    });
    List<String> domains = TestDomains.ALL.stream().map(TestDomain::name).collect(Collectors.toList());
    mailLog = new MailLog(layout.postfixLog());
    mailboxes = new Mailboxes(layout.mailRoot(), mailLog);
    step("postfix", () -> {
      postfix = new PostfixServer(layout, certificates, domains);
      stopActions.push(postfix::stop);
      postfix.start();
    });
    step("proxies", () -> {
      stripProxy = new StarttlsProxy("strip", StarttlsProxy.Mode.STRIP,
          MxEndpoint.STRIP_PROXY.address(), MxEndpoint.POSTFIX_TLS.address());
      stopActions.push(stripProxy::close);
      failProxy = new StarttlsProxy("fail", StarttlsProxy.Mode.FAIL,
          MxEndpoint.FAIL_PROXY.address(), MxEndpoint.POSTFIX_TLS.address());
      stopActions.push(failProxy::close);
      blackHole = new DnsBlackHole(layout.blackHoleAddress());
      stopActions.push(blackHole::close);
    });
    step("files", () -> {
      Files.writeString(layout.hostsFile(), hostsFileText(), StandardCharsets.US_ASCII);
      properties = BedProperties.of(this);
      BedProperties.write(properties, layout.propertiesFile());
    });
  }

  private interface Step {
    void run() throws IOException;
  }

  private void step(String name, Step step) throws IOException {
    long begin = System.nanoTime();
    step.run();
    timings.put(name, (System.nanoTime() - begin) / 1_000_000);
  }

  private static void requireRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (!Integer.valueOf(0).equals(uid)) {
        throw new BedStartupException("the test bed needs root (port 25, Postfix), but runs as uid " + uid
            + "; run the integration tests as root, as CI does");
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new BedStartupException("the test bed needs Linux with /proc (cannot read the uid): " + e, e);
    }
  }

  /**
   * Holds {@code bed.lock} in the state directory for the life of this bed. Another JVM's bed
   * in the same directory makes this wait (up to {@link #LOCK_WAIT}), so two test runs on one
   * machine take turns instead of stopping each other's daemons. The operating system drops
   * the lock when a JVM dies, even by SIGKILL; so once it is held, any daemon named in a pid
   * file is a leftover and may be stopped.
   */
  private void lockDirectory() throws IOException {
    Path dir = Files.createDirectories(layout.dir());
    FileChannel channel = FileChannel.open(dir.resolve("bed.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    Instant deadline = Instant.now().plus(LOCK_WAIT);
    boolean told = false;
    try {
      while ((lock = channel.tryLock()) == null) {
        if (Instant.now().isAfter(deadline)) {
          channel.close();
          throw new BedStartupException("another test bed has held " + dir.resolve("bed.lock") + " for over "
              + LOCK_WAIT.toMinutes() + " min (see `fuser " + dir.resolve("bed.lock") + "`); stop it or set "
              + "MAILTLS_BED_DIR (the ports are shared, so only one bed can run at a time)");
        }
        if (!told) {
          System.err.println("[mailtls-bed] waiting for the test bed of another JVM to stop (" + dir + ")");
          told = true;
        }
        LocalPorts.pause(500);
      }
    } catch (OverlappingFileLockException e) {
      channel.close();
      throw new BedStartupException("a test bed in " + dir + " is already running in this JVM; use TestBed.shared()");
    }
    stopActions.push(() -> {
      try {
        channel.close(); // releases the lock
      } catch (IOException e) {
        // released when the JVM exits anyway
      }
    });
  }

  /**
   * Creates the state directory with mode 755 and removes what an earlier run generated. The
   * parents must be traversable by others: Postfix's user and uid 65534 work below it.
   */
  private void prepareDirectory() throws IOException {
    Path dir = Files.createDirectories(layout.dir());
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (Path parent = dir.getParent(); parent != null; parent = parent.getParent()) {
      if (!Files.getPosixFilePermissions(parent).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new BedStartupException("the test bed directory " + dir + " is below " + parent
            + ", which others cannot traverse (mode " + PosixFilePermissions.toString(Files.getPosixFilePermissions(parent))
            + "); Postfix's user must reach its queue and Maildirs there. Run chmod o+x " + parent
            + " or set MAILTLS_BED_DIR to a directory under /tmp.");
      }
    }
    for (Path generated : List.of(layout.certsDir(), layout.dnsDir(), layout.knotDir(), layout.unboundDir(),
        layout.postfixDir(), layout.mailRoot(), layout.hostsFile(), layout.propertiesFile())) {
      deleteRecursively(generated);
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
  }

  /** {@code 127.0.0.1 localhost} (the file is exclusive: no DNS fallback) and every MX host. */
  private String hostsFileText() {
    StringBuilder text = new StringBuilder();
    text.append("# Generated by the MailTLS Guard test bed. Use: java -Djdk.net.hosts.file=")
        .append(layout.hostsFile()).append('\n');
    text.append("127.0.0.1 localhost\n");
    for (TestDomain domain : TestDomains.ALL) {
      String host = domain.ownHost();
      if (host != null) {
        text.append(addressOf(domain).ip()).append(' ').append(host).append('\n');
      }
    }
    return text.toString();
  }

  /** The listener behind a domain's own MX host, following an alias to its target's domain. */
  private static MxEndpoint addressOf(TestDomain domain) {
    if (domain.endpoint() != null) {
      return domain.endpoint();
    }
    return TestDomains.ALL.stream().filter(d -> domain.alias().equals(d.ownHost()))
        .map(TestBed::addressOf).findFirst()
        .orElseThrow(() -> new IllegalStateException(domain.name() + ": alias " + domain.alias()
            + " is not the MX host of a test domain"));
  }

  /** Fails if a daemon died after the bring-up, naming it. */
  public void requireRunning() {
    if (stopped) {
      throw new IllegalStateException("the test bed was stopped");
    }
    List<String> dead = new ArrayList<>();
    if (!knot.isRunning()) {
      dead.add("knotd (log " + knot.logFile() + ")");
    }
    if (!unbound.isRunning()) {
      dead.add("unbound (log " + unbound.logFile() + ")");
    }
    if (!postfix.isRunning()) {
      dead.add("postfix (log " + layout.postfixLog() + ")");
    }
    if (!dead.isEmpty()) {
      throw new IllegalStateException("test bed daemon(s) died after the start: " + dead);
    }
  }

  /** Stops everything that was started, in reverse order. Idempotent. */
  public synchronized void stop() {
    stopped = true;
    while (!stopActions.isEmpty()) {
      try {
        stopActions.pop().run();
      } catch (RuntimeException e) {
        System.err.println("[mailtls-bed] while stopping: " + e);
      }
    }
  }

  /** The TLSA records at {@code _465._tcp.mx.<domain>}, {@code ;}-joined; empty if there are none. */
  public String smtpsTlsa(String domain) {
    return TestDomains.get(domain).smtpsTlsa().stream().map(t -> t.rdata(certificates))
        .collect(Collectors.joining(";"));
  }

  /** Forgets the proxies' logs, turns fake AUTH off and empties every Maildir: a clean slate for a test. */
  public void reset() {
    stripProxy.clearLog();
    failProxy.clearLog();
    stripProxy.setFakeAuth(false);
    failProxy.setFakeAuth(false);
    mailboxes.clearAll();
  }

  public BedLayout layout() {
    return layout;
  }

  /** Unbound, validating, trust anchor for {@code test.}: query with DO (never CD) and read AD. */
  public InetSocketAddress resolverAddress() {
    return layout.resolverAddress();
  }

  /** Knot, authoritative (no recursion). */
  public InetSocketAddress knotAddress() {
    return layout.knotAddress();
  }

  public DnsBlackHole blackHole() {
    return blackHole;
  }

  /** The trust anchor of {@code test.} as a DS record (zone-file text). */
  public String trustAnchorDs() {
    return zone.trustAnchorDs();
  }

  /** The trust anchor of {@code test.} as the KSK's DNSKEY record (zone-file text). */
  public String trustAnchorDnskey() {
    return zone.trustAnchorDnskey();
  }

  /** Postfix with STARTTLS (127.0.0.2:25). */
  public InetSocketAddress postfixTlsAddress() {
    return MxEndpoint.POSTFIX_TLS.address();
  }

  /** Postfix with implicit TLS, {@code smtps} (127.0.0.2:465); log tag {@code postfix-bed/mx-smtps}. */
  public InetSocketAddress postfixSmtpsAddress() {
    return MxEndpoint.POSTFIX_TLS.smtpsAddress();
  }

  /**
   * Postfix with STARTTLS asking for a client certificate of the bed's client CA (127.0.0.6:25,
   * MX of {@code client-cert.test}); log tag {@code postfix-bed/mx-ccert}.
   */
  public InetSocketAddress postfixClientCertAddress() {
    return MxEndpoint.POSTFIX_CLIENT_CERT.address();
  }

  /** Postfix without STARTTLS (127.0.0.3:25). */
  public InetSocketAddress postfixPlainAddress() {
    return MxEndpoint.POSTFIX_PLAIN.address();
  }

  /** The STARTTLS-stripping proxy at 127.0.0.4:25 (MX of {@code starttls-strip.test}). */
  public StarttlsProxy stripProxy() {
    return stripProxy;
  }

  /** The proxy answering STARTTLS with 454 at 127.0.0.5:25 (MX of {@code starttls-fail.test}). */
  public StarttlsProxy failProxy() {
    return failProxy;
  }

  public BedCertificates certificates() {
    return certificates;
  }

  /** An SSLContext trusting only the test CA (PKIX). */
  public SSLContext clientSslContext() {
    return SmtpTestClient.trusting(certificates.caCertificate());
  }

  /** The TLSA records published for a domain's MX host, {@code ;}-joined, e.g. {@code 3 1 1 9f2c...}. */
  public String tlsa(String domain) {
    return TestDomains.get(domain).tlsa().stream().map(t -> t.rdata(certificates))
        .collect(Collectors.joining(";"));
  }

  public Mailboxes mailboxes() {
    return mailboxes;
  }

  public MailLog postfixLog() {
    return mailLog;
  }

  public Path hostsFile() {
    return layout.hostsFile();
  }

  /** What {@code bed.properties} holds (keys in {@link BedProperties}); a copy. */
  public Properties properties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  /** Unbound's log, which gives the reason for every bogus answer. */
  public String resolverLog() {
    try {
      return Files.readString(unbound.logFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How long each bring-up step took, in milliseconds. */
  public Map<String, Long> startupTimings() {
    return Map.copyOf(timings);
  }
}
