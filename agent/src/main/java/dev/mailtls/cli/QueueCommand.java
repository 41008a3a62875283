package dev.mailtls.cli;

import dev.mailtls.queue.Attempt;
import dev.mailtls.queue.CorruptEntry;
import dev.mailtls.queue.MessageQueue;
import dev.mailtls.queue.QueueException;
import dev.mailtls.queue.QueuedMessage;
import dev.mailtls.queue.SmtpDestination;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code queue list|show|retry|delete|dead DIR [ID]}: the operator's view of the durable queue, like
 * Postfix's {@code mailq} and {@code postsuper}. Plain output for scripts: one message per line,
 * tab-separated fields, times in UTC (ISO-8601), {@code <>} for the null sender, {@code -} for an
 * empty field. Exit codes: 0 done, 1 no such message (or it is being delivered right now), 2 usage
 * or not a queue directory. Run it as the application's user: it locks and rewrites queue files
 * like the agent does.
 */
final class QueueCommand implements Command {
    private static final List<String> ACTIONS = Arrays.asList("list", "show", "retry", "delete", "dead");
    private static final String USAGE_TEXT = "usage: queue list DIR | queue show DIR ID | queue retry DIR [ID]"
            + " | queue delete DIR ID | queue dead DIR";

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public String synopsis() {
        return "list DIR | show DIR ID | retry DIR [ID] | delete DIR ID | dead DIR";
    }

    @Override
    public String summary() {
        return "the durable queue (mailtls.queue.dir): list queued messages, show one, make due now, delete, list dead/";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() < 2) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        String action = args.get(0);
        if (!ACTIONS.contains(action)) {
            err.println("mailtls queue: unknown action \"" + action + "\"; " + USAGE_TEXT);
            return USAGE;
        }
        boolean takesId = action.equals("show") || action.equals("delete");
        boolean mayTakeId = action.equals("retry");
        if (args.size() > 3 || args.size() == 3 && !takesId && !mayTakeId || args.size() == 2 && takesId) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        // The queue logs for the agent's log; here the output says it all.
        Logger queueLog = Logger.getLogger("dev.mailtls.queue");
        Level previous = queueLog.getLevel();
        queueLog.setLevel(Level.OFF);
        try (MessageQueue queue = MessageQueue.openExisting(Paths.get(args.get(1)))) {
            String id = args.size() > 2 ? args.get(2) : null;
            switch (action) {
                case "list":
                    return list(queue, out);
                case "dead":
                    return dead(queue, out);
                case "show":
                    return show(queue, id, out, err);
                case "retry":
                    return retry(queue, id, out, err);
                default:
                    return delete(queue, id, out, err);
            }
        } catch (QueueException unusable) {
            err.println("mailtls queue: " + unusable.getMessage());
            return USAGE;
        } catch (IOException failed) {
            err.println("mailtls queue: " + failed);
            return USAGE;
        } finally {
            queueLog.setLevel(previous);
        }
    }

    /** ID, state (queued, delivering, corrupt), queued-at, next attempt, tries, size, from, to, relay, last result. */
    private static int list(MessageQueue queue, PrintStream out) throws IOException {
        for (QueuedMessage message : queue.messages()) {
            List<Attempt> attempts = message.attempts();
            row(out, message.id(), queue.isClaimed(message.id()) ? "delivering" : "queued", time(message.queuedAt()),
                    time(message.nextAttempt()), Integer.toString(attempts.size()), Long.toString(message.size()),
                    sender(message), recipients(message), message.destination().relay(),
                    attempts.isEmpty() ? message.reason() : attempts.get(attempts.size() - 1).result());
        }
        for (CorruptEntry corrupt : queue.corrupted()) {
            row(out, corrupt.id(), "corrupt", "", "", "", "", "", "", "", corrupt.file() + ": " + corrupt.problem());
        }
        return OK;
    }

    /** ID, dead-at, queued-at, tries, size, from, to, relay, why it was given up. */
    private static int dead(MessageQueue queue, PrintStream out) throws IOException {
        for (QueuedMessage message : queue.dead()) {
            row(out, message.id(), time(message.deadAt().get()), time(message.queuedAt()),
                    Integer.toString(message.attempts().size()), Long.toString(message.size()), sender(message),
                    recipients(message), message.destination().relay(), message.deadReason().get());
        }
        return OK;
    }

    private static int show(MessageQueue queue, String id, PrintStream out, PrintStream err) throws IOException {
        Optional<QueuedMessage> found = queue.find(id);
        if (!found.isPresent()) {
            for (CorruptEntry corrupt : queue.corrupted()) {
                if (corrupt.id().equals(id)) {
                    out.println("id: " + id);
                    out.println("state: corrupt");
                    out.println("file: " + corrupt.file());
                    out.println("problem: " + corrupt.problem());
                    return OK;
                }
            }
            return notFound(queue, id, err);
        }
        QueuedMessage message = found.get();
        boolean dead = message.deadAt().isPresent();
        SmtpDestination destination = message.destination();
        out.println("id: " + message.id());
        out.println("state: " + (dead ? "dead" : queue.isClaimed(id) ? "delivering" : "queued"));
        out.println("queued-at: " + message.queuedAt());
        if (dead) {
            out.println("dead-at: " + message.deadAt().get());
            out.println("dead-reason: " + clean(message.deadReason().get()));
        } else {
            out.println("next-attempt: " + message.nextAttempt());
        }
        out.println("size: " + message.size());
        out.println("from: " + sender(message));
        for (String recipient : message.envelope().recipients()) {
            out.println("to: " + clean(recipient));
        }
        out.println("relay: " + destination.protocol() + " " + destination.relay());
        if (destination.user() != null) {
            out.println("user: " + clean(destination.user()));
        }
        for (Map.Entry<String, String> property : destination.sessionProperties().entrySet()) {
            out.println("property: " + clean(property.getKey()) + "=" + clean(property.getValue()));
        }
        out.println("reason: " + clean(message.reason()));
        for (Attempt attempt : message.attempts()) {
            out.println("attempt: " + attempt.at() + " " + clean(attempt.result()));
        }
        out.println("file: " + queue.directory().resolve(dead ? "dead" : "active").resolve(id + ".eml"));
        return OK;
    }

    private static int retry(MessageQueue queue, String id, PrintStream out, PrintStream err) throws IOException {
        if (id == null) {
            int count = queue.retryAllNow();
            out.println(count + (count == 1 ? " message" : " messages") + " made due now");
            return OK;
        }
        if (!queue.retryNow(id)) {
            return notFound(queue, id, err);
        }
        out.println(id + ": due now");
        return OK;
    }

    private static int delete(MessageQueue queue, String id, PrintStream out, PrintStream err) throws IOException {
        if (queue.isClaimed(id)) {
            err.println("mailtls queue: " + id + " is being delivered right now; try again when the attempt is over");
            return NOT_COMPLIANT;
        }
        if (!queue.delete(id)) {
            return notFound(queue, id, err);
        }
        out.println(id + ": deleted");
        return OK;
    }

    private static int notFound(MessageQueue queue, String id, PrintStream err) {
        err.println("mailtls queue: no message " + id + " in " + queue.directory()
                + (id.matches("[0-9A-F]{20}") ? "" : " (a queue id is 20 hex digits, as \"queue list\" shows)"));
        return NOT_COMPLIANT;
    }

    private static void row(PrintStream out, String... fields) {
        StringBuilder line = new StringBuilder();
        for (String field : fields) {
            String text = clean(field);
            line.append(line.length() == 0 ? "" : "\t").append(text.isEmpty() ? "-" : text);
        }
        out.println(line);
    }

    private static String sender(QueuedMessage message) {
        return message.envelope().sender().isEmpty() ? "<>" : message.envelope().sender();
    }

    private static String recipients(QueuedMessage message) {
        return String.join(",", message.envelope().recipients());
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** One line, no tabs: a reason may hold a multi-line server reply. */
    private static String clean(String text) {
        return text.replaceAll("[\\s\\p{Cntrl}]*[\\t\\r\\n\\p{Cntrl}][\\s\\p{Cntrl}]*", " ").trim();
    }
}
