package dev.mailtls.it.bed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A daemon process known by its PID, possibly left over from an earlier, killed test run.
 *
 * <p>Liveness is read from {@code /proc/<pid>/stat} and {@code /proc/<pid>/cmdline}, not from
 * {@code kill -0}: a stopped daemon that was re-parented to PID 1 stays a zombie until PID 1
 * reaps it, and {@code kill -0} succeeds on a zombie. The command line check guards against a
 * PID reused by an unrelated process.
 */
final class DaemonProcess {

  private final String name;
  private final long pid;
  private final String command;

  /**
   * @param command a substring of the daemon's command line, e.g. {@code knotd}
   */
  DaemonProcess(String name, long pid, String command) {
    this.name = name;
    this.pid = pid;
    this.command = command;
  }

  /** The process recorded in a pid file, if the file exists and holds a number. */
  static Optional<DaemonProcess> fromPidFile(String name, Path pidFile, String command) {
    try {
      String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
      return Optional.of(new DaemonProcess(name, Long.parseLong(text), command));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  long pid() {
    return pid;
  }

  /** Running (not a zombie) and still the same program. */
  boolean isAlive() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      // The state is the first field after the command name, which is in parentheses.
      String state = stat.substring(stat.lastIndexOf(')') + 1).trim();
      if (state.startsWith("Z") || state.startsWith("X")) {
        return false;
      }
      byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ').contains(command);
    } catch (IOException | RuntimeException e) {
      return false; // no such process
    }
  }

  /** SIGTERM, then SIGKILL if it is still alive after {@code grace}; returns once it is gone. */
  void stop(Duration grace) {
    if (!isAlive()) {
      return;
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    if (awaitDeath(grace)) {
      return;
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    if (!awaitDeath(Duration.ofSeconds(5))) {
      throw new IllegalStateException(name + " (pid " + pid + ") survived SIGKILL");
    }
  }

  private boolean awaitDeath(Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    while (isAlive()) {
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      LocalPorts.pause(20);
    }
    return true;
  }

  @Override
  public String toString() {
    return name + " (pid " + pid + ")";
  }
}
