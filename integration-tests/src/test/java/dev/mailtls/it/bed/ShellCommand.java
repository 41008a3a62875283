package dev.mailtls.it.bed;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A short-lived command (configuration check, {@code postfix start}, {@code ss}) run to completion
 * with a time limit, its stdout and stderr captured together. Output never reaches the JVM's own
 * stdout, which Maven Surefire uses to talk to its forked test JVM.
 *
 * @param exitCode the exit status, or -1 if the command was killed at the time limit
 * @param output stdout and stderr, interleaved
 */
record ShellCommand(List<String> command, int exitCode, String output) {

  /** Runs {@code command}; fails only if it cannot be started at all. */
  static ShellCommand run(Duration limit, String... command) {
    Path out = null;
    try {
      out = Files.createTempFile("mailtls-bed-cmd", ".out");
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .redirectInput(new File("/dev/null"))
          .start();
      int exit;
      if (process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        exit = process.exitValue();
      } else {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        exit = -1;
      }
      return new ShellCommand(List.of(command), exit, Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new BedStartupException("cannot run " + String.join(" ", command) + ": " + e.getMessage()
          + " (run scripts/testbed/install-packages as root to install the bed's daemons)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BedStartupException("interrupted while running " + String.join(" ", command), e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          // a leftover temporary file is harmless
        }
      }
    }
  }

  boolean succeeded() {
    return exitCode == 0;
  }

  /** The command line and its result, for failure messages. */
  String describe() {
    return "`" + String.join(" ", command) + "` exited " + (exitCode < 0 ? "(killed at time limit)" : exitCode)
        + (output.isBlank() ? " with no output" : ":\n" + output.strip());
  }
}
