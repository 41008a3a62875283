package dev.mailtls.it.bed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Postfix as the receiving MTA of every test domain: one instance from a private configuration
 * directory with four listeners: {@link MxEndpoint#POSTFIX_TLS} on port 25 (STARTTLS with the MX
 * chain) and on port 465 (implicit TLS, {@code smtpd_tls_wrappermode}, log tag
 * {@code postfix-bed/mx-smtps}, asking for a client certificate as {@code mx-ccert} does), {@link MxEndpoint#POSTFIX_PLAIN} (no STARTTLS), and
 * {@link MxEndpoint#POSTFIX_CLIENT_CERT} (STARTTLS, asking for a client certificate issued by the
 * bed's client CA, log tag {@code postfix-bed/mx-ccert}). Mail for a test domain goes to a catch-all
 * Maildir {@code <mail root>/<domain>/} owned by uid 65534; other domains get
 * {@code 554 5.7.1 Relay access denied}; nothing is ever sent onwards (every transport but
 * {@code virtual} is {@code error:}), and no DNS lookup is made ({@code smtpd_peername_lookup = no}).
 *
 * <p>Pitfalls handled: {@code postfix -c} needs an absolute path; {@code maillog_file} must
 * match {@code maillog_file_prefixes}; generated files are back-dated a minute, because Postfix
 * programs wait for a {@code main.cf} younger than about 2 s; {@code data_directory} is owned
 * by {@code postfix}; and Postfix's fatal errors, which go to an absent syslog, are recovered
 * by re-running {@code postfix check} under {@code script}, which gives it a terminal.
 */
final class PostfixServer {

  /** The maildrop user of the Maildirs (nobody). */
  static final int MAILDIR_UID = 65534;

  private final BedLayout layout;
  private final BedCertificates certs;
  private final List<String> domains;
  private DaemonProcess master;

  PostfixServer(BedLayout layout, BedCertificates certs, List<String> domains) {
    this.layout = layout;
    this.certs = certs;
    this.domains = List.copyOf(domains);
  }

  private Path configDir() {
    return layout.postfixDir().resolve("etc");
  }

  private Path queueDir() {
    return layout.postfixDir().resolve("spool");
  }

  private static Path masterPidFile(BedLayout layout) {
    return layout.postfixDir().resolve("spool").resolve("pid").resolve("master.pid");
  }

  /** Stops a Postfix master left over from an earlier run (its children exit with it). */
  static void stopStale(BedLayout layout) {
    DaemonProcess.fromPidFile("postfix master", masterPidFile(layout), "master").ifPresent(stale -> {
      if (stale.isAlive()) {
        System.err.println("[mailtls-bed] stopping " + stale + " left over from an earlier run");
        stale.stop(Duration.ofSeconds(10));
      }
    });
  }

  void start() throws IOException {
    Path dir = layout.postfixDir();
    Files.createDirectories(configDir());
    Files.createDirectories(queueDir());
    Path data = Files.createDirectories(dir.resolve("data"));
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView dataView = Files.getFileAttributeView(data, PosixFileAttributeView.class);
    try {
      dataView.setOwner(users.lookupPrincipalByName("postfix"));
      dataView.setGroup(users.lookupPrincipalByGroupName("postfix"));
    } catch (IOException e) {
      throw new BedStartupException("no user postfix: is the postfix package installed? "
          + "Run scripts/testbed/install-packages as root.", e);
    }
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    createMaildirs();
    // The log file must exist for postlogd; it is opened as root.
    if (!Files.exists(layout.postfixLog())) {
      Files.createFile(layout.postfixLog());
    }

    Path mailboxMap = configDir().resolve("virtual_mailbox");
    Files.write(mailboxMap, domains.stream()
        .map(d -> "/@" + d.replace(".", "\\.") + "$/ " + d + "/")
        .collect(Collectors.toList()), StandardCharsets.US_ASCII);
    Files.write(configDir().resolve("main.cf"), mainCf(mailboxMap), StandardCharsets.US_ASCII);
    Files.write(configDir().resolve("master.cf"), masterCf(), StandardCharsets.US_ASCII);
    // Pitfall: Postfix waits (0.3 s steps, up to ~2 s per program) for a main.cf this young.
    FileTime minuteAgo = FileTime.from(Instant.now().minus(Duration.ofMinutes(1)));
    for (Path file : List.of(configDir().resolve("main.cf"), configDir().resolve("master.cf"), mailboxMap)) {
      Files.setLastModifiedTime(file, minuteAgo);
    }

    LocalPorts.requireFree("Postfix", MxEndpoint.POSTFIX_TLS.address(), false);
    LocalPorts.requireFree("Postfix", MxEndpoint.POSTFIX_PLAIN.address(), false);
    LocalPorts.requireFree("Postfix", MxEndpoint.POSTFIX_TLS.smtpsAddress(), false);
    LocalPorts.requireFree("Postfix", MxEndpoint.POSTFIX_CLIENT_CERT.address(), false);
    ShellCommand start = ShellCommand.run(Duration.ofSeconds(60),
        ChildDaemon.binary("postfix"), "-c", configDir().toString(), "start");
    master = DaemonProcess.fromPidFile("postfix master", masterPidFile(layout), "master").orElse(null);
    if (!start.succeeded() || master == null || !master.isAlive()) {
      throw new BedStartupException("Postfix did not start: " + start.describe() + "\n" + diagnostics());
    }
    awaitBanner(MxEndpoint.POSTFIX_TLS.address(), null);
    awaitBanner(MxEndpoint.POSTFIX_PLAIN.address(), null);
    awaitBanner(MxEndpoint.POSTFIX_TLS.smtpsAddress(), SmtpTestClient.trusting(certs.caCertificate()));
    awaitBanner(MxEndpoint.POSTFIX_CLIENT_CERT.address(), null);
  }

  private void createMaildirs() throws IOException {
    Path root = Files.createDirectories(layout.mailRoot());
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String domain : domains) {
      for (String sub : List.of("", "new", "cur", "tmp")) {
        Path maildir = Files.createDirectories(root.resolve(domain).resolve(sub));
        // uid/gid 65534 has no name to look up on every system: use the numeric owner.
        Files.setAttribute(maildir, "unix:uid", MAILDIR_UID);
        Files.setAttribute(maildir, "unix:gid", MAILDIR_UID);
        Files.setPosixFilePermissions(maildir, Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
      }
    }
  }

  private List<String> mainCf(Path mailboxMap) {
    Path dir = layout.postfixDir();
    return List.of(
        "# Generated by the MailTLS Guard test bed (PostfixServer).",
        "compatibility_level = 3.6",
        "queue_directory = " + queueDir(),
        "data_directory = " + dir.resolve("data"),
        "command_directory = /usr/sbin",
        "daemon_directory = /usr/lib/postfix/sbin",
        "meta_directory = /etc/postfix",
        "shlib_directory = /usr/lib/postfix",
        "mail_owner = postfix",
        "setgid_group = postdrop",
        // Pitfall: maillog_file must match a prefix in maillog_file_prefixes.
        "maillog_file = " + layout.postfixLog(),
        "maillog_file_prefixes = " + dir,
        "myhostname = mx." + TestDomains.DANE_OK,
        "mydomain = test",
        "myorigin = $myhostname",
        "mydestination =",
        "inet_protocols = ipv4",
        "smtpd_banner = $myhostname ESMTP test bed",
        "biff = no",
        "append_dot_mydomain = no",
        "alias_maps =",
        "alias_database =",
        "notify_classes =",
        // Never send anything anywhere (bounces included): only virtual delivery exists.
        "local_transport = error:local delivery is disabled in the test bed",
        "default_transport = error:outbound mail is disabled in the test bed",
        "relay_transport = error:outbound mail is disabled in the test bed",
        "relay_domains =",
        "mynetworks = 127.0.0.1/32",
        // No permit_mynetworks: other domains are refused even from loopback.
        "smtpd_relay_restrictions = reject_unauth_destination",
        "smtpd_recipient_restrictions = reject_unauth_destination",
        "smtpd_peername_lookup = no",
        "smtpd_error_sleep_time = 0",
        "in_flow_delay = 0",
        "virtual_mailbox_domains = " + String.join(", ", domains),
        "virtual_mailbox_base = " + layout.mailRoot(),
        "virtual_mailbox_maps = regexp:" + mailboxMap,
        "virtual_uid_maps = static:" + MAILDIR_UID,
        "virtual_gid_maps = static:" + MAILDIR_UID,
        "smtpd_tls_chain_files = " + certs.postfixChainFile(),
        "smtpd_tls_security_level = may",
        "smtpd_tls_received_header = yes",
        "smtpd_tls_loglevel = 1",
        "smtpd_tls_session_cache_database =",
        "tls_random_source = dev:/dev/urandom");
  }

  private List<String> masterCf() {
    // No chroot anywhere (column 5 = n): a chroot would need copies of the files it reads.
    return List.of(
        "# Generated by the MailTLS Guard test bed (PostfixServer).",
        MxEndpoint.POSTFIX_TLS.ip() + ":25 inet n - n - - smtpd",
        "  -o syslog_name=postfix-bed/mx-tls",
        "  -o smtpd_tls_security_level=may",
        // Implicit TLS (smtps): the handshake starts at connect, before the 220 greeting.
        MxEndpoint.POSTFIX_TLS.ip() + ":" + MxEndpoint.SMTPS_PORT + " inet n - n - - smtpd",
        "  -o syslog_name=postfix-bed/mx-smtps",
        "  -o smtpd_tls_wrappermode=yes",
        "  -o smtpd_tls_security_level=encrypt",
        // As mx-ccert does: asks for (never requires) a client certificate, for the agent's tests
        // of client certificates over implicit TLS; clients without one are "Anonymous" as before.
        "  -o smtpd_tls_ask_ccert=yes",
        "  -o smtpd_tls_CAfile=" + certs.clientCaFile(),
        MxEndpoint.POSTFIX_PLAIN.ip() + ":25 inet n - n - - smtpd",
        "  -o syslog_name=postfix-bed/mx-notls",
        "  -o smtpd_tls_security_level=none",
        // Asks for a client certificate (never requires one) and verifies it against the client CA.
        // Postfix then logs "Trusted TLS connection established from ..." for a verified one,
        // "Anonymous ..." without one, and says which in the Received header.
        MxEndpoint.POSTFIX_CLIENT_CERT.ip() + ":25 inet n - n - - smtpd",
        "  -o syslog_name=postfix-bed/mx-ccert",
        "  -o smtpd_tls_security_level=may",
        "  -o smtpd_tls_ask_ccert=yes",
        "  -o smtpd_tls_CAfile=" + certs.clientCaFile(),
        "pickup unix n - n 60 1 pickup",
        "cleanup unix n - n - 0 cleanup",
        "qmgr unix n - n 300 1 qmgr",
        "tlsmgr unix - - n 1000? 1 tlsmgr",
        "rewrite unix - - n - - trivial-rewrite",
        "bounce unix - - n - 0 bounce",
        "defer unix - - n - 0 bounce",
        "trace unix - - n - 0 bounce",
        "verify unix - - n - 1 verify",
        "flush unix n - n 1000? 0 flush",
        "proxymap unix - - n - - proxymap",
        "showq unix n - n - - showq",
        "error unix - - n - - error",
        "retry unix - - n - - error",
        "discard unix - - n - - discard",
        "virtual unix - n n - - virtual",
        "anvil unix - - n - 1 anvil",
        "scache unix - - n - 1 scache",
        "postlog unix-dgram n - n - 1 postlogd");
  }

  /** Ready when the listener sends its 220 greeting (after a TLS handshake if {@code tls} is given). */
  private void awaitBanner(InetSocketAddress address, SSLContext tls) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    String last = "no connection";
    while (Instant.now().isBefore(deadline)) {
      try (Socket plain = new Socket()) {
        plain.connect(address, 1000);
        plain.setSoTimeout(3000);
        Socket socket = tls == null ? plain
            : tls.getSocketFactory().createSocket(plain, address.getHostString(), address.getPort(), true);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        last = String.valueOf(in.readLine());
        if (last.startsWith("220 ")) {
          socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      if (master == null || !master.isAlive()) {
        break;
      }
      LocalPorts.pause(100);
    }
    throw new BedStartupException("Postfix does not greet at " + address + " (last: " + last + ")\n"
        + diagnostics());
  }

  /**
   * What Postfix says about itself: its fatal errors go to syslog, absent here, so run
   * {@code postfix check} under {@code script}, which gives it a terminal to print on.
   */
  private String diagnostics() {
    ShellCommand check = ShellCommand.run(Duration.ofSeconds(30), ChildDaemon.binary("script"), "-qec",
        ChildDaemon.binary("postfix") + " -c " + configDir() + " check", "/dev/null");
    return "--- postfix check (with a terminal) ---\n" + check.output().strip()
        + "\n--- " + layout.postfixLog() + " ---\n" + ChildDaemon.tail(layout.postfixLog(), 30);
  }

  void stop() {
    if (master != null) {
      master.stop(Duration.ofSeconds(10));
      master = null;
    }
  }

  boolean isRunning() {
    return master != null && master.isAlive();
  }
}
