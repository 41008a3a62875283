package dev.mailtls.it.bed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One message Postfix delivered into a test domain's Maildir, with the headers a test checks:
 * above all the {@code Received} header Postfix added, which says {@code with ESMTPS} and names
 * the TLS version and cipher when the message came over TLS ({@code smtpd_tls_received_header}).
 *
 * @param file the Maildir file
 * @param text the whole message as ISO-8859-1 text
 */
public record DeliveredMessage(Path file, String text) {

  /** The header section, unfolded: one entry per header field, {@code Name: value}. */
  public List<String> headers() {
    List<String> fields = new ArrayList<>();
    for (String line : text.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        break; // end of the header section
      }
      if ((line.startsWith(" ") || line.startsWith("\t")) && !fields.isEmpty()) {
        fields.set(fields.size() - 1, fields.get(fields.size() - 1) + " " + line.strip());
      } else {
        fields.add(line);
      }
    }
    return fields;
  }

  /** Values of every header field of that name, top first. */
  public List<String> headers(String name) {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    List<String> values = new ArrayList<>();
    for (String field : headers()) {
      if (field.toLowerCase(Locale.ROOT).startsWith(prefix)) {
        values.add(field.substring(prefix.length()).strip());
      }
    }
    return values;
  }

  /** The topmost {@code Received} header: the one the bed's Postfix added. Empty if none. */
  public String receivedByBed() {
    List<String> received = headers("Received");
    return received.isEmpty() ? "" : received.get(0);
  }

  /** Whether the bed's Postfix received the message over TLS ({@code with ESMTPS} or {@code ESMTPSA}). */
  public boolean arrivedOverTls() {
    return receivedByBed().matches("(?s).*\\bwith ESMTPSA?\\b.*");
  }

  /** The body after the blank line that ends the headers. */
  public String body() {
    int end = text.indexOf("\n\n");
    int endCrlf = text.indexOf("\r\n\r\n");
    if (endCrlf >= 0 && (end < 0 || endCrlf < end)) {
      return text.substring(endCrlf + 4);
    }
    return end < 0 ? "" : text.substring(end + 2);
  }
}
