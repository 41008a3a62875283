package dev.mailtls.it.bed;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Everything that passed through one connection of a {@link StarttlsProxy}: every byte, per
 * direction, in order, with what the proxy changed and why. Thread-safe; a test reads it while
 * or after the client talks.
 */
public final class ProxyConnection {

  /** Who sent a chunk to whom. */
  public enum Direction {
    /** Bytes from the client (forwarded to the server unless {@link Chunk#forwarded()} is false). */
    CLIENT_TO_SERVER("C>S"),
    /** Bytes from the server (forwarded to the client unless {@link Chunk#forwarded()} is false). */
    SERVER_TO_CLIENT("S>C"),
    /** Bytes the proxy itself sent to the client instead. */
    PROXY_TO_CLIENT("P>C");

    private final String arrow;

    Direction(String arrow) {
      this.arrow = arrow;
    }

    @Override
    public String toString() {
      return arrow;
    }
  }

  /**
   * One recorded chunk: an SMTP line or reply before TLS, raw bytes (TLS records) after.
   *
   * @param forwarded whether the bytes went on to the other side
   * @param sensitive a cleartext AUTH, MAIL FROM, RCPT TO, DATA or BDAT command, or an AUTH
   *     response (credentials)
   * @param insideTls sent after a STARTTLS succeeded (TLS records, not readable text)
   * @param note why the proxy changed or answered something, or null
   */
  public record Chunk(Instant time, Direction direction, byte[] data, boolean forwarded,
      boolean sensitive, boolean insideTls, String note) {

    /** The bytes as ISO-8859-1 text: one char per byte, nothing lost. */
    public String text() {
      return new String(data, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return direction + (forwarded ? " " : " (not forwarded) ") + text().replace("\r\n", "\\r\\n")
          + (note == null ? "" : "   [" + note + "]");
    }
  }

  private final int id;
  private final List<Chunk> chunks = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean tls;

  ProxyConnection(int id) {
    this.id = id;
  }

  synchronized void record(Direction direction, byte[] data, boolean forwarded, boolean sensitive, String note) {
    chunks.add(new Chunk(Instant.now(), direction, data.clone(), forwarded, sensitive, tls, note));
  }

  synchronized void note(String note) {
    if (!notes.contains(note)) {
      notes.add(note);
    }
  }

  void tlsStarted() {
    tls = true;
  }

  void markClosed() {
    closed.countDown();
  }

  CountDownLatch closedLatch() {
    return closed;
  }

  /** Sequence number of the connection on its proxy, from 1. */
  public int id() {
    return id;
  }

  /** All chunks so far, in the order the proxy saw them. */
  public synchronized List<Chunk> chunks() {
    return List.copyOf(chunks);
  }

  /** Everything the client sent, as ISO-8859-1 text (TLS records included, unreadable). */
  public String clientText() {
    return text(Direction.CLIENT_TO_SERVER);
  }

  /** Everything the client received (from the server or from the proxy), as text. */
  public String textSeenByClient() {
    return chunks().stream()
        .filter(c -> c.direction() == Direction.PROXY_TO_CLIENT
            || (c.direction() == Direction.SERVER_TO_CLIENT && c.forwarded()))
        .map(Chunk::text).collect(Collectors.joining());
  }

  /** Everything the server sent, including replies the proxy replaced, as text. */
  public String serverText() {
    return text(Direction.SERVER_TO_CLIENT);
  }

  private String text(Direction direction) {
    return chunks().stream()
        .filter(c -> c.direction() == direction)
        .map(Chunk::text).collect(Collectors.joining());
  }

  /** Whether a STARTTLS succeeded through this connection (only possible in PASS mode). */
  public boolean tlsHappened() {
    return tls;
  }

  /**
   * The commands a downgrade-resistant client must never send in the clear: AUTH (and the
   * credentials after it), MAIL FROM, RCPT TO, DATA, BDAT; without line endings. Empty means
   * nothing sensitive leaked.
   */
  public List<String> cleartextSensitiveCommands() {
    return chunks().stream()
        .filter(c -> c.direction() == Direction.CLIENT_TO_SERVER && c.sensitive() && !c.insideTls())
        .map(c -> c.text().strip())
        .collect(Collectors.toList());
  }

  /** What the proxy did, e.g. {@code removed STARTTLS}, {@code answered STARTTLS with 454}. */
  public synchronized List<String> notes() {
    return List.copyOf(notes);
  }

  /** Whether both sides have finished. */
  public boolean isClosed() {
    return closed.getCount() == 0;
  }

  /** One line: {@code conn 3: tls=false cleartext_sensitive=[MAIL FROM:<a@b>, ...] notes=[removed STARTTLS]}. */
  @Override
  public String toString() {
    return "conn " + id + ": tls=" + tls + " cleartext_sensitive=" + cleartextSensitiveCommands()
        + " notes=" + notes() + (isClosed() ? "" : " (open)");
  }

  /** The full transcript, one chunk per line, for failure messages. */
  public String transcript() {
    List<String> lines = new ArrayList<>();
    lines.add(toString());
    chunks().forEach(c -> lines.add("  " + c));
    return String.join("\n", lines);
  }
}
