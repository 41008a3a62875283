package dev.mailtls.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Messages, destinations and a log recorder shared by the queue tests. */
final class QueueFixtures {
    private QueueFixtures() {
    }

    static SmtpDestination destination() {
        return SmtpDestination.builder().host("mx.example.org").port(25).user("app")
                .sessionProperty("mail.smtp.localhost", "app.example.com").build();
    }

    static Envelope envelope() {
        return Envelope.of("app@example.com", "alice@example.org");
    }

    static MessageBody body(String text) {
        return out -> out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    static String text(Claim claim) throws IOException {
        try (java.io.InputStream in = claim.openBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every file under {@code directory}, relative, sorted, as "active/ID.meta". */
    static List<String> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).map(file -> directory.relativize(file).toString().replace('\\', '/'))
                    .filter(name -> !name.equals("queue.lock")).sorted().collect(Collectors.toList());
        }
    }

    /** Collects the records of a logger while installed; {@link #close()} removes it. */
    static final class LogRecorder extends Handler implements AutoCloseable {
        private final Logger logger;
        private final Level previous;
        private final List<LogRecord> records = new ArrayList<>();

        LogRecorder(Logger logger) {
            this.logger = logger;
            this.previous = logger.getLevel();
            logger.setLevel(Level.ALL);
            setLevel(Level.ALL);
            logger.addHandler(this);
        }

        static LogRecorder queueLog() {
            return new LogRecorder(Logger.getLogger("dev.mailtls.queue"));
        }

        synchronized List<String> lines(Level atLeast) {
            List<String> lines = new ArrayList<>();
            for (LogRecord record : records) {
                if (record.getLevel().intValue() >= atLeast.intValue()) {
                    lines.add(new java.util.logging.SimpleFormatter().formatMessage(record));
                }
            }
            return lines;
        }

        synchronized List<String> lines() {
            return lines(Level.ALL);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setLevel(previous);
        }
    }
}
