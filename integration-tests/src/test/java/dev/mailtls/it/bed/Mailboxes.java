package dev.mailtls.it.bed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The catch-all Maildirs of the test domains ({@code <mail root>/<domain>/}): count and read
 * what Postfix delivered, and wait, with a time limit, for deliveries to arrive. Waiting for an
 * arrival is not a timing assertion: the limit only bounds how long a failing test hangs.
 */
public final class Mailboxes {

  private final Path root;
  private final MailLog log;

  Mailboxes(Path root, MailLog log) {
    this.root = root;
    this.log = log;
  }

  /** The Maildir of a test domain. */
  public Path maildir(String domain) {
    TestDomains.get(domain); // fails with the list of known domains on a typo
    return root.resolve(domain);
  }

  /** Messages delivered so far to the domain ({@code new/} and {@code cur/}). */
  public int count(String domain) {
    return files(domain).size();
  }

  /** The delivered messages, oldest first (Maildir names start with the delivery time). */
  public List<DeliveredMessage> messages(String domain) {
    List<DeliveredMessage> messages = new ArrayList<>();
    for (Path file : files(domain)) {
      try {
        messages.add(new DeliveredMessage(file, new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read delivered message " + file, e);
      }
    }
    return messages;
  }

  /**
   * Waits until the domain has at least {@code count} messages and returns them all; fails with
   * the Postfix log tail if they do not arrive within {@code limit}.
   */
  public List<DeliveredMessage> awaitMessages(String domain, int count, Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    while (count(domain) < count) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("expected " + count + " message(s) in " + maildir(domain) + " within "
            + limit.toSeconds() + " s, found " + count(domain) + ". Postfix log tail:\n" + log.tail(25));
      }
      LocalPorts.pause(50);
    }
    return messages(domain);
  }

  /** Deletes the delivered messages of one domain. */
  public void clear(String domain) {
    for (Path file : files(domain)) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + file, e);
      }
    }
  }

  /** Deletes the delivered messages of every test domain. */
  public void clearAll() {
    TestDomains.ALL.forEach(d -> clear(d.name()));
  }

  private List<Path> files(String domain) {
    Path maildir = maildir(domain);
    List<Path> files = new ArrayList<>();
    for (String sub : List.of("new", "cur")) {
      Path dir = maildir.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> list = Files.list(dir)) {
        list.filter(Files::isRegularFile).forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }
    files.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return files;
  }
}
