package dev.mailtls.it.bed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Postfix's log file ({@code maillog_file}): read it whole, from a mark, or wait for a line.
 * Lines carry the listener: {@code postfix-bed/mx-tls/smtpd} or {@code postfix-bed/mx-notls/smtpd}.
 */
public final class MailLog {

  private final Path file;

  MailLog(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** The whole log. */
  public String text() {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The current end of the log; pass it to {@link #textSince(long)} to see only newer lines. */
  public long mark() {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** What was logged after {@code mark}. */
  public String textSince(long mark) {
    byte[] all = text().getBytes(StandardCharsets.UTF_8);
    int from = (int) Math.min(Math.max(0, mark), all.length);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  /** The last {@code lines} lines. */
  public String tail(int lines) {
    List<String> all = text().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** Waits for a line after {@code mark} that matches {@code regex}; empty at the time limit. */
  public Optional<String> awaitLine(long mark, String regex, Duration limit) {
    Pattern pattern = Pattern.compile(regex);
    Instant deadline = Instant.now().plus(limit);
    while (true) {
      Optional<String> line = textSince(mark).lines().filter(l -> pattern.matcher(l).find()).findFirst();
      if (line.isPresent() || Instant.now().isAfter(deadline)) {
        return line;
      }
      LocalPorts.pause(50);
    }
  }
}
