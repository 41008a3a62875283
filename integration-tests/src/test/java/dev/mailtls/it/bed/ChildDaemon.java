package dev.mailtls.it.bed;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A daemon run in the foreground as a child of the test JVM (Knot, Unbound). Being our child,
 * it is reaped by the JVM as soon as it exits, so there is no zombie to mistake for a live
 * daemon. Its PID goes into a pid file so that a later run can stop it if this JVM is killed
 * before its shutdown hook runs; its stdout and stderr go to a file, never to the JVM's own.
 */
final class ChildDaemon {

  private final String name;
  private final Process process;
  private final Path pidFile;
  private final Path outputFile;

  private ChildDaemon(String name, Process process, Path pidFile, Path outputFile) {
    this.name = name;
    this.process = process;
    this.pidFile = pidFile;
    this.outputFile = outputFile;
  }

  /** Stops a daemon recorded in {@code pidFile} by an earlier run, if it is still running. */
  static void stopStale(String name, Path pidFile, String command) {
    DaemonProcess.fromPidFile(name, pidFile, command).ifPresent(stale -> {
      if (stale.isAlive()) {
        System.err.println("[mailtls-bed] stopping " + stale + " left over from an earlier run");
        stale.stop(Duration.ofSeconds(5));
      }
    });
  }

  static ChildDaemon start(String name, Path pidFile, Path outputFile, List<String> command) {
    try {
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()))
          .redirectInput(new File("/dev/null"))
          .start();
      Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.US_ASCII);
      return new ChildDaemon(name, process, pidFile, outputFile);
    } catch (IOException e) {
      throw new BedStartupException("cannot start " + name + " (" + String.join(" ", command) + "): "
          + e.getMessage() + "; run scripts/testbed/install-packages as root", e);
    }
  }

  /**
   * Waits until {@code ready} holds, failing early if the daemon exits. The failure message has
   * the daemon's output and {@code diagnostics} (its log tail).
   */
  void awaitReady(Duration limit, BooleanSupplier ready, Supplier<String> diagnostics) {
    Instant deadline = Instant.now().plus(limit);
    while (true) {
      if (!process.isAlive()) {
        throw new BedStartupException(name + " exited with status " + process.exitValue()
            + " right after its start.\n" + report(diagnostics));
      }
      if (ready.getAsBoolean()) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new BedStartupException(name + " is running but not ready after " + limit.toSeconds()
            + " s.\n" + report(diagnostics));
      }
      LocalPorts.pause(50);
    }
  }

  private String report(Supplier<String> diagnostics) {
    return "--- output (" + outputFile + ") ---\n" + tail(outputFile, 30)
        + "\n" + diagnostics.get();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, then SIGKILL after a grace period; removes the pid file. */
  void stop() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(pidFile);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // a stale pid file is detected and ignored by the next run
    }
  }

  /** The last {@code lines} lines of a text file, or a note that it does not exist. */
  static String tail(Path file, int lines) {
    try {
      // Lenient decoding: a daemon may log bytes that are not UTF-8.
      List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** The program's absolute path: /usr/sbin is not on every CI user's PATH. */
  static String binary(String name) {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return dir + "/" + name;
      }
    }
    return name;
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
