package dev.mailtls.queue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A second JVM on a queue directory, for {@link CrossJvmQueueTest}: it reports on stdout what it
 * did, line by line, flushed, so the test knows exactly what was done when it kills it.
 * <ul>
 * <li>{@code hold DIR}: claims one due message, prints {@code CLAIMED id}, waits for stdin to end.</li>
 * <li>{@code drain DIR}: prints {@code READY}, waits for a line on stdin, delivers every due message
 * (printing {@code DELIVERED id} after each), prints {@code DONE}.</li>
 * <li>{@code work DIR}: like drain without waiting, but defers every message whose id ends in an
 * even digit ({@code DEFERRED id}); for being killed half-way.</li>
 * <li>{@code enqueue DIR FROM}: queues messages FROM, FROM+1, ... for ever, printing
 * {@code ACCEPTED id n} after each has been accepted; for being killed half-way.</li>
 * </ul>
 */
public final class QueueChild {
    private QueueChild() {
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("dev.mailtls.queue").setLevel(Level.WARNING);
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Path dir = Paths.get(args[1]);
        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).maxBytes(0).build())) {
            switch (args[0]) {
                case "hold":
                    try (Claim claim = queue.claimDue(Instant.now()).get()) {
                        out.println("CLAIMED " + claim.message().id());
                        while (in.readLine() != null) {
                            // hold the claim until the test closes stdin or kills this JVM
                        }
                    }
                    break;
                case "drain":
                    out.println("READY");
                    in.readLine();
                    work(queue, out, false);
                    out.println("DONE");
                    break;
                case "work":
                    work(queue, out, true);
                    out.println("DONE");
                    break;
                case "enqueue":
                    for (int n = Integer.parseInt(args[2]); ; n++) {
                        QueuedMessage message = queue.enqueue(Envelope.of("app@example.com", "n" + n + "@example.org"),
                                SmtpDestination.builder().host("mx.example.org").build(), "test", body(n));
                        out.println("ACCEPTED " + message.id() + " " + n);
                    }
                default:
                    throw new IllegalArgumentException(args[0]);
            }
        }
    }

    private static void work(MessageQueue queue, PrintStream out, boolean deferSome) throws Exception {
        for (Optional<Claim> next = queue.claimDue(Instant.now()); next.isPresent(); next = queue.claimDue(Instant.now())) {
            try (Claim claim = next.get()) {
                String id = claim.message().id();
                if (deferSome && (id.charAt(id.length() - 1) - '0') % 2 == 0) {
                    claim.deferred("454 4.7.4 test", Instant.now());
                    out.println("DEFERRED " + id);
                } else {
                    claim.delivered();
                    out.println("DELIVERED " + id);
                }
            }
        }
    }

    /** Message {@code n}: its number, then filler up to a size between 0 and 64 KB that varies with n. */
    static MessageBody body(int n) {
        return output -> output.write(bytes(n));
    }

    static byte[] bytes(int n) {
        StringBuilder text = new StringBuilder("Subject: message ").append(n).append("\r\n\r\n");
        int size = (n * 7919) % 65536;
        while (text.length() < size) {
            text.append((char) ('a' + text.length() % 26));
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
