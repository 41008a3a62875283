package dev.mailtls.queue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ID.meta} file: everything about a queued message except its bytes, as UTF-8 text an
 * operator can read, one {@code field: value} per line. Values escape backslash, CR, LF and
 * other control characters ({@code \\}, {@code \r}, {@code \n}, {@code \}{@code u0007}), so one
 * field is always one line. The last line is {@code end}, so a truncated copy is recognised.
 * Parsing is strict: an unknown field, a missing one or a malformed value makes the entry corrupt.
 * <pre>
 * # MailTLS Guard queue entry. Written atomically by the queue; delete it with "queue delete".
 * format: 1
 * id: 018F2A3B4C5D9E8F7A6B
 * queued-at: 2024-05-01T10:00:00.123Z
 * size: 1834
 * from: app@example.com
 * to: alice@example.org
 * protocol: smtp
 * host: mx.example.org
 * port: 25
 * user: app
 * property: mail.smtp.localhost=app.example.com
 * reason: 454 4.7.4 TLS is required, but was not offered by host mx.example.org[192.0.2.1]
 * next-attempt: 2024-05-01T10:01:00.130Z
 * attempt: 2024-05-01T10:00:00.130Z deferred: 454 4.7.4 ...
 * end
 * </pre>
 * A message in {@code dead/} also has {@code dead-at} and {@code dead-reason}.
 */
final class MetadataFormat {
    static final String VERSION = "1";
    private static final String HEADER = "# MailTLS Guard queue entry. Written atomically by the queue; "
            + "change it only with the \"queue\" commands of mailtls-agent.jar.";

    private MetadataFormat() {
    }

    static byte[] write(QueuedMessage message) {
        StringBuilder text = new StringBuilder(512).append(HEADER).append('\n');
        field(text, "format", VERSION);
        field(text, "id", message.id());
        field(text, "queued-at", message.queuedAt().toString());
        field(text, "size", Long.toString(message.size()));
        field(text, "from", message.envelope().sender());
        for (String recipient : message.envelope().recipients()) {
            field(text, "to", recipient);
        }
        SmtpDestination destination = message.destination();
        field(text, "protocol", destination.protocol());
        field(text, "host", destination.host());
        field(text, "port", Integer.toString(destination.port()));
        if (destination.user() != null) {
            field(text, "user", destination.user());
        }
        for (java.util.Map.Entry<String, String> property : destination.sessionProperties().entrySet()) {
            // SmtpDestination never holds a credential; checked again here, where it would reach the disk.
            if (!SmtpDestination.isSecretKey(property.getKey())) {
                field(text, "property", property.getKey() + "=" + property.getValue());
            }
        }
        field(text, "reason", message.reason());
        field(text, "next-attempt", message.nextAttempt().toString());
        for (Attempt attempt : message.attempts()) {
            field(text, "attempt", attempt.at() + " " + attempt.result());
        }
        if (message.deadAt().isPresent()) {
            field(text, "dead-at", message.deadAt().get().toString());
            field(text, "dead-reason", message.deadReason().get());
        }
        text.append("end\n");
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a meta file's bytes; {@link IllegalArgumentException} naming the line and what is wrong. */
    static QueuedMessage read(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        Fields fields = new Fields();
        boolean ended = false;
        for (int number = 1; number <= lines.length; number++) {
            String line = lines[number - 1];
            if (ended) {
                if (!line.isEmpty() || number != lines.length) {
                    throw new IllegalArgumentException("line " + number + ": text after \"end\"");
                }
                continue;
            }
            if (line.startsWith("#") || line.isEmpty() && number == lines.length) {
                continue;
            }
            if (line.equals("end")) {
                ended = true;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("line " + number + ": not \"field: value\"");
            }
            String value = line.substring(colon + 1);
            fields.add(number, line.substring(0, colon), unescape(value.startsWith(" ") ? value.substring(1) : value, number));
        }
        if (!ended) {
            throw new IllegalArgumentException("no \"end\" line: the file is truncated");
        }
        return fields.build();
    }

    private static void field(StringBuilder text, String name, String value) {
        text.append(name).append(": ");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                text.append("\\\\");
            } else if (c == '\n') {
                text.append("\\n");
            } else if (c == '\r') {
                text.append("\\r");
            } else if (Character.isISOControl(c)) {
                text.append(String.format("\\u%04x", (int) c));
            } else {
                text.append(c);
            }
        }
        text.append('\n');
    }

    private static String unescape(String value, int line) {
        if (value.indexOf('\\') < 0) {
            return value;
        }
        StringBuilder text = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\') {
                text.append(c);
                continue;
            }
            char next = i + 1 < value.length() ? value.charAt(i + 1) : ' ';
            if (next == '\\') {
                text.append('\\');
                i++;
            } else if (next == 'n') {
                text.append('\n');
                i++;
            } else if (next == 'r') {
                text.append('\r');
                i++;
            } else if (next == 'u' && i + 6 <= value.length()) {
                try {
                    text.append((char) Integer.parseInt(value.substring(i + 2, i + 6), 16));
                } catch (NumberFormatException malformed) {
                    throw new IllegalArgumentException("line " + line + ": bad escape \\u" + value.substring(i + 2, i + 6));
                }
                i += 5;
            } else {
                throw new IllegalArgumentException("line " + line + ": bad escape \\" + next);
            }
        }
        return text.toString();
    }

    /** The fields seen so far, checked as they come. */
    private static final class Fields {
        private String format;
        private String id;
        private Instant queuedAt;
        private Long size;
        private String from;
        private final List<String> to = new ArrayList<>();
        private final SmtpDestination.Builder destination = SmtpDestination.builder();
        private boolean protocol;
        private boolean host;
        private boolean port;
        private String reason;
        private Instant nextAttempt;
        private final List<Attempt> attempts = new ArrayList<>();
        private Instant deadAt;
        private String deadReason;

        void add(int line, String name, String value) {
            try {
                switch (name) {
                    case "format":
                        if (!VERSION.equals(value)) {
                            throw new IllegalArgumentException("format " + value + " is not known to this version (" + VERSION + ")");
                        }
                        format = once(format, value);
                        break;
                    case "id":
                        if (!MessageId.isValid(value)) {
                            throw new IllegalArgumentException("not a queue id");
                        }
                        id = once(id, value);
                        break;
                    case "queued-at":
                        queuedAt = once(queuedAt, Instant.parse(value));
                        break;
                    case "size":
                        size = once(size, Long.parseLong(value));
                        if (size < 0) {
                            throw new IllegalArgumentException("negative");
                        }
                        break;
                    case "from":
                        from = once(from, value);
                        break;
                    case "to":
                        to.add(value);
                        break;
                    case "protocol":
                        protocol = onceFlag(protocol);
                        destination.protocol(value);
                        break;
                    case "host":
                        host = onceFlag(host);
                        destination.host(value);
                        break;
                    case "port":
                        port = onceFlag(port);
                        destination.port(Integer.parseInt(value));
                        break;
                    case "user":
                        destination.user(value);
                        break;
                    case "property":
                        int equals = value.indexOf('=');
                        if (equals <= 0) {
                            throw new IllegalArgumentException("not key=value");
                        }
                        destination.sessionProperty(value.substring(0, equals), value.substring(equals + 1));
                        break;
                    case "reason":
                        reason = once(reason, value);
                        break;
                    case "next-attempt":
                        nextAttempt = once(nextAttempt, Instant.parse(value));
                        break;
                    case "attempt":
                        int space = value.indexOf(' ');
                        if (space <= 0) {
                            throw new IllegalArgumentException("not \"TIME RESULT\"");
                        }
                        attempts.add(new Attempt(Instant.parse(value.substring(0, space)), value.substring(space + 1)));
                        break;
                    case "dead-at":
                        deadAt = once(deadAt, Instant.parse(value));
                        break;
                    case "dead-reason":
                        deadReason = once(deadReason, value);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown field");
                }
            } catch (DateTimeParseException | IllegalStateException malformed) {
                throw new IllegalArgumentException("line " + line + ": " + name + ": " + malformed.getMessage(), malformed);
            } catch (IllegalArgumentException malformed) {
                throw new IllegalArgumentException("line " + line + ": " + name + ": " + malformed.getMessage(), malformed);
            }
        }

        private static <T> T once(T previous, T value) {
            if (previous != null) {
                throw new IllegalStateException("given twice");
            }
            return value;
        }

        private static boolean onceFlag(boolean previous) {
            if (previous) {
                throw new IllegalStateException("given twice");
            }
            return true;
        }

        QueuedMessage build() {
            require(format, "format");
            require(id, "id");
            require(queuedAt, "queued-at");
            require(size, "size");
            require(from, "from");
            require(to.isEmpty() ? null : to, "to");
            require(protocol ? "" : null, "protocol");
            require(host ? "" : null, "host");
            require(port ? "" : null, "port");
            require(reason, "reason");
            require(nextAttempt, "next-attempt");
            if ((deadAt == null) != (deadReason == null)) {
                throw new IllegalArgumentException("dead-at and dead-reason come together");
            }
            QueuedMessage.Builder message = QueuedMessage.builder(id).envelope(Envelope.of(from, to))
                    .destination(destination.build()).reason(reason).queuedAt(queuedAt).nextAttempt(nextAttempt).size(size);
            for (Attempt attempt : attempts) {
                message.addAttempt(attempt);
            }
            if (deadAt != null) {
                message.dead(deadAt, deadReason);
            }
            return message.build();
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalArgumentException("no \"" + name + "\" field");
            }
        }
    }
}
