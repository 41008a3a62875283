package dev.mailtls.james;

import dev.mailtls.config.DurationSyntax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The init parameters of {@link TlsPolicyDelivery}, validated all at once: every problem is
 * collected, so that an operator fixes them in one round, and each names the parameter, the
 * value and what is allowed. Immutable.
 */
final class DeliveryParameters {
    static final String CONFIG = "config";
    static final String BOUNCE_PROCESSOR = "bounceProcessor";
    static final String RETRY_PROCESSOR = "retryProcessor";
    static final String DELIVERED_PROCESSOR = "deliveredProcessor";
    static final String RETRY_DELAYS = "retryDelays";
    static final String MAX_ATTEMPTS = "maxAttempts";
    static final String MAX_AGE = "maxAge";
    static final String HELO_NAME = "heloName";
    static final String CONNECTION_TIMEOUT = "connectionTimeout";
    static final String TIMEOUT = "timeout";
    static final String OUTGOING_QUEUE = "outgoingQueue";
    static final String DELIVERY_THREADS = "deliveryThreads";
    static final List<String> NAMES = Collections.unmodifiableList(Arrays.asList(CONFIG, BOUNCE_PROCESSOR,
            RETRY_PROCESSOR, DELIVERED_PROCESSOR, RETRY_DELAYS, MAX_ATTEMPTS, MAX_AGE, HELO_NAME, CONNECTION_TIMEOUT,
            TIMEOUT, OUTGOING_QUEUE, DELIVERY_THREADS));
    /** Read by James's mailet container itself, on every mailet. */
    private static final List<String> CONTAINER_NAMES = Arrays.asList("onMailetException", "onMatchException");

    static final String DEFAULT_BOUNCE_PROCESSOR = "bounces";
    static final String DEFAULT_RETRY_DELAYS = "1m,5m,15m,1h,4h";
    /** With the default delays, about the attempts that the default maximum age allows. */
    static final int DEFAULT_MAX_ATTEMPTS = 35;
    /** Postfix's maximal_queue_lifetime. */
    static final String DEFAULT_MAX_AGE = "5d";
    static final String DEFAULT_CONNECTION_TIMEOUT = "60s";
    static final String DEFAULT_TIMEOUT = "3m";
    private static final long MAX_TIMEOUT_MILLIS = 3_600_000L;
    static final String DEFAULT_OUTGOING_QUEUE = "mailtls-outgoing";
    /**
     * RemoteDelivery's concurrency: it delivers on Reactor's bounded-elastic scheduler, 10 threads
     * per core by default.
     */
    static final int DEFAULT_DELIVERY_THREADS = 10 * Runtime.getRuntime().availableProcessors();
    private static final int MAX_DELIVERY_THREADS = 1000;
    /** James's spool and RemoteDelivery's default queue. */
    private static final List<String> RESERVED_QUEUES = Arrays.asList("spool", "outgoing");

    final PolicySource policySource;
    final String bounceProcessor;
    /** {@code null}: retry in the processor the mail was in. */
    final String retryProcessor;
    /** {@code null}: a delivered mail ends ({@code ghost}). */
    final String deliveredProcessor;
    final RetrySchedule retrySchedule;
    /** {@code null}: the mail library's default (the local host name). */
    final String heloName;
    final int connectionTimeoutMillis;
    final int timeoutMillis;
    /** The James mail queue the mailet delivers from, when James offers one. */
    final String outgoingQueue;
    /** How many deliveries run at a time from {@link #outgoingQueue}. */
    final int deliveryThreads;

    private DeliveryParameters(Reader reader, List<String> problems) {
        Map<String, String> inline = new LinkedHashMap<>();
        for (Iterator<String> names = reader.names; names.hasNext();) {
            String name = names.next();
            if (name.startsWith("mailtls.")) {
                inline.put(name, reader.raw(name));
            } else if (!NAMES.contains(name) && !CONTAINER_NAMES.contains(name)) {
                problems.add("init parameter " + name + ": unknown parameter; allowed: " + String.join(", ", NAMES)
                        + ", and mailtls.* keys of the MailTLS Guard configuration");
            }
        }
        policySource = PolicySource.forMailet(reader.raw(CONFIG), inline);
        bounceProcessor = reader.processor(BOUNCE_PROCESSOR, DEFAULT_BOUNCE_PROCESSOR);
        retryProcessor = reader.processor(RETRY_PROCESSOR, null);
        deliveredProcessor = reader.processor(DELIVERED_PROCESSOR, null);
        List<Long> delays = reader.delays();
        int maxAttempts = reader.positiveInt(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, Integer.MAX_VALUE);
        long maxAge = reader.duration(MAX_AGE, DEFAULT_MAX_AGE, 60_000L, 365L * 86_400_000L);
        retrySchedule = delays.isEmpty() ? null : new RetrySchedule(delays, maxAttempts, maxAge);
        String helo = reader.raw(HELO_NAME);
        heloName = helo == null || helo.trim().isEmpty() ? null : helo.trim();
        if (heloName != null && !heloName.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
            problems.add("init parameter " + HELO_NAME + " = \"" + helo + "\": not a host name or address literal;"
                    + " write the name this server greets with, e.g. mail.example.com");
        }
        connectionTimeoutMillis = (int) reader.duration(CONNECTION_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT, 1000L,
                MAX_TIMEOUT_MILLIS);
        timeoutMillis = (int) reader.duration(TIMEOUT, DEFAULT_TIMEOUT, 1000L, MAX_TIMEOUT_MILLIS);
        outgoingQueue = reader.queueName(OUTGOING_QUEUE, DEFAULT_OUTGOING_QUEUE);
        deliveryThreads = reader.positiveInt(DELIVERY_THREADS, DEFAULT_DELIVERY_THREADS, MAX_DELIVERY_THREADS);
    }

    /**
     * Reads and checks the parameters.
     *
     * @param names the names of the init parameters present
     * @param values an init parameter's value by name ({@code null} when absent)
     * @throws IllegalArgumentException listing every problem, one a line
     */
    static DeliveryParameters read(Iterator<String> names, Function<String, String> values) {
        List<String> problems = new ArrayList<>();
        DeliveryParameters parameters = new DeliveryParameters(new Reader(names, values, problems), problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join(System.lineSeparator(), problems));
        }
        return parameters;
    }

    /** Reads single parameters, adding a problem for each bad value and returning a harmless stand-in. */
    private static final class Reader {
        private final Iterator<String> names;
        private final Function<String, String> values;
        private final List<String> problems;

        Reader(Iterator<String> names, Function<String, String> values, List<String> problems) {
            this.names = names;
            this.values = values;
            this.problems = problems;
        }

        String raw(String name) {
            return values.apply(name);
        }

        String processor(String name, String byDefault) {
            String value = raw(name);
            if (value == null) {
                return byDefault;
            }
            if (value.trim().isEmpty() || value.trim().matches(".*\\s.*")) {
                problems.add("init parameter " + name + " = \"" + value + "\": not a processor name; write the state of"
                        + " a <processor> of mailetcontainer.xml, e.g. " + (byDefault == null ? "relay-tls" : byDefault));
                return byDefault;
            }
            return value.trim();
        }

        List<Long> delays() {
            String value = raw(RETRY_DELAYS);
            String text = value == null ? DEFAULT_RETRY_DELAYS : value;
            List<Long> delays = new ArrayList<>();
            for (String part : text.split(",")) {
                try {
                    long delay = DurationSyntax.parseMillis(part);
                    if (delay < 1000L) {
                        problems.add("init parameter " + RETRY_DELAYS + " = \"" + text + "\": " + part.trim()
                                + " is shorter than 1s; a retry needs time for the remote side to recover");
                        return Collections.emptyList();
                    }
                    delays.add(delay);
                } catch (IllegalArgumentException malformed) {
                    problems.add("init parameter " + RETRY_DELAYS + " = \"" + text + "\": \"" + part.trim() + "\" is " + malformed.getMessage()
                            + "; write a comma-separated list such as " + DEFAULT_RETRY_DELAYS + " (the last one repeats)");
                    return Collections.emptyList();
                }
            }
            return delays;
        }

        int positiveInt(String name, int byDefault, int max) {
            String value = raw(name);
            if (value == null) {
                return byDefault;
            }
            try {
                int number = Integer.parseInt(value.trim());
                if (number >= 1 && number <= max) {
                    return number;
                }
            } catch (NumberFormatException notANumber) {
                // reported below
            }
            problems.add("init parameter " + name + " = \"" + value + "\": not a whole number of at least 1"
                    + (max == Integer.MAX_VALUE ? "" : " and at most " + max) + "; the default is " + byDefault);
            return byDefault;
        }

        String queueName(String name, String byDefault) {
            String value = raw(name);
            if (value == null) {
                return byDefault;
            }
            if (!value.trim().matches("[A-Za-z0-9._\\-]+")) {
                problems.add("init parameter " + name + " = \"" + value + "\": not a mail queue name; use letters, digits,"
                        + " '.', '_' and '-', e.g. " + byDefault + " (not RemoteDelivery's queue: each needs its own)");
                return byDefault;
            }
            if (RESERVED_QUEUES.contains(value.trim())) {
                problems.add("init parameter " + name + " = \"" + value + "\": James's own " + value.trim() + " queue;"
                        + " another consumer of it would take mail past this mailet's policy. Use a queue of its own, e.g. "
                        + byDefault);
                return byDefault;
            }
            return value.trim();
        }

        long duration(String name, String byDefault, long min, long max) {
            String value = raw(name);
            if (value == null) {
                return DurationSyntax.parseMillis(byDefault);
            }
            try {
                long millis = DurationSyntax.parseMillis(value);
                if (millis >= min && millis <= max) {
                    return millis;
                }
                problems.add("init parameter " + name + " = \"" + value + "\": out of range; allowed: "
                        + DurationSyntax.format(min) + " to " + DurationSyntax.format(max) + " (default " + byDefault + ")");
            } catch (IllegalArgumentException malformed) {
                problems.add("init parameter " + name + ": \"" + value + "\" is " + malformed.getMessage() + " (default " + byDefault + ")");
            }
            return DurationSyntax.parseMillis(byDefault);
        }
    }
}
