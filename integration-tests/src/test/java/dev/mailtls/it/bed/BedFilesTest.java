package dev.mailtls.it.bed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the files the bed hands to tests in other JVMs: the hosts file works with
 * {@code -Djdk.net.hosts.file} in a fresh JVM, and {@code bed.properties} describes the bed.
 */
class BedFilesTest {

  private static TestBed bed;

  @BeforeAll
  static void startBed() {
    bed = TestBed.shared();
  }

  @Test
  void hostsFileListsLocalhostAndEveryMxHost() throws IOException {
    List<String> lines = Files.readAllLines(bed.hostsFile(), StandardCharsets.US_ASCII);

    assertThat(lines).contains("127.0.0.1 localhost", "127.0.0.2 mx.dane-ok.test", "127.0.0.3 mx.no-tls.test",
        "127.0.0.4 mx.starttls-strip.test", "127.0.0.5 mx.starttls-fail.test", "127.0.0.2 mx.insecure.test",
        "127.0.0.2 mx.cname.test");
  }

  @Test
  void aFreshJvmResolvesMxHostsThroughTheHostsFileAndNothingElse(@TempDir Path tmp)
      throws Exception {
    Path source = tmp.resolve("Resolve.java");
    Files.writeString(source, String.join("\n",
        "import java.net.InetAddress;",
        "public class Resolve {",
        "  public static void main(String[] args) {",
        "    for (String name : args) {",
        "      try { System.out.println(name + \" \" + InetAddress.getByName(name).getHostAddress()); }",
        "      catch (Exception e) { System.out.println(name + \" unresolved\"); }",
        "    }",
        "  }",
        "}"));
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process process = new ProcessBuilder(javaBin, "-Djdk.net.hosts.file=" + bed.hostsFile(), source.toString(),
        "mx.starttls-strip.test", "localhost", "dane-ok.test")
        .redirectErrorStream(true).start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(output.lines()).as(output).containsExactly(
        "mx.starttls-strip.test 127.0.0.4", "localhost 127.0.0.1", "dane-ok.test unresolved");
  }

  @Test
  void propertiesFileDescribesTheRunningBed() throws IOException {
    Properties file = new Properties();
    try (InputStream in = Files.newInputStream(bed.layout().propertiesFile())) {
      file.load(in);
    }

    assertThat(file).isEqualTo(bed.properties());
    assertThat(file.getProperty(BedProperties.RESOLVER)).isEqualTo("127.0.0.1:5301");
    assertThat(file.getProperty(BedProperties.BLACK_HOLE)).isEqualTo("127.0.0.1:5399");
    assertThat(file.getProperty(BedProperties.PROXY_STRIP)).isEqualTo("127.0.0.4:25");
    assertThat(file.getProperty(BedProperties.POSTFIX_SMTPS)).isEqualTo("127.0.0.2:465");
    assertThat(file.getProperty(BedProperties.SMTPS_TLSA_PREFIX + TestDomains.DANE_OK))
        .isEqualTo(file.getProperty(BedProperties.TLSA_PREFIX + TestDomains.DANE_OK));
    assertThat(file.getProperty(BedProperties.TRUST_ANCHOR_DS)).matches("test\\.\\s+60\\s+IN\\s+DS\\s+\\d+ 13 2 \\p{XDigit}{64}");
    assertThat(file.getProperty(BedProperties.TLSA_PREFIX + TestDomains.DANE_UNUSABLE)).matches("1 1 1 \\p{XDigit}{64};0 0 1 \\p{XDigit}{64}");
    assertThat(Files.readString(Path.of(file.getProperty(BedProperties.TRUST_ANCHOR_DNSKEY_FILE))).strip())
        .isEqualTo(bed.trustAnchorDnskey());
  }

  @Test
  void stateDirectoryIsTraversableByPostfixAndNobody() throws IOException {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bed.layout().dir()))).isEqualTo("rwxr-xr-x");
    assertThat(Files.getAttribute(bed.mailboxes().maildir(TestDomains.DANE_OK).resolve("new"), "unix:uid"))
        .isEqualTo(PostfixServer.MAILDIR_UID);
  }

  @Test
  void bringUpTimingsAreRecordedPerStep() {
    assertThat(bed.startupTimings()).containsKeys("certs", "zone", "knot", "unbound", "postfix", "proxies");
    assertThat(Duration.ofMillis(bed.startupTimings().values().stream().mapToLong(Long::longValue).sum()))
        .isPositive();
  }
}
