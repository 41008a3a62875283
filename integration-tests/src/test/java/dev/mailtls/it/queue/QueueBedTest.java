package dev.mailtls.it.queue;

import dev.mailtls.it.agent.AgentBed;
import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestBed;
import dev.mailtls.queue.MessageQueue;
import dev.mailtls.queue.QueuedMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every queue test on the bed shares: the bed of this JVM, reset before each test; a folder
 * of its own (agent configuration, hosts file, queue, the application's logs); a
 * {@link SwitchableMx} stripping STARTTLS, closed after the test; and starting the queue test
 * application ({@code QueueApp}) with the agent.
 */
abstract class QueueBedTest {
    static TestBed bed;

    @TempDir
    Path dir;

    SwitchableMx mx;
    private final List<AppProcess> apps = new ArrayList<>();

    @BeforeAll
    static void startBed() {
        bed = TestBed.shared();
    }

    @BeforeEach
    void cleanBed() {
        bed.reset();
        mx = new SwitchableMx(StarttlsProxy.Mode.STRIP);
    }

    @AfterEach
    void stopEverything() {
        for (AppProcess app : apps) {
            if (app.isAlive()) {
                app.kill();
            }
        }
        mx.close();
    }

    Path queueDir() {
        return dir.resolve("queue");
    }

    Path acceptedLog() {
        return dir.resolve("accepted.log");
    }

    /** The agent configuration: DANE required everywhere, the queue in {@link #queueDir()}, retried every second, plus {@code lines}. */
    Path queueConfig(String... lines) {
        List<String> all = new ArrayList<>(List.of("mailtls.level = dane-only", "mailtls.queue.dir = " + queueDir(),
                "mailtls.queue.retry = 1s"));
        all.addAll(List.of(lines));
        return AgentBed.configFile(dir, all.toArray(new String[0]));
    }

    /**
     * Starts {@code QueueApp} built against {@code library} with the agent and {@code config}, the
     * MX names {@code switched} at the {@link #mx}, sending {@code count} messages (0: until
     * killed) from {@code threads} threads in {@code style} to {@code recipient} through
     * {@code mxHost}:25; extra arguments (user, password) follow.
     */
    AppProcess startApp(MailLibrary library, Path config, List<String> switched, String mxHost, String recipient, int count,
            int threads, String style, String... extra) {
        Path hosts = QueueBed.hostsFile(dir, switched.toArray(new String[0]));
        List<String> arguments = new ArrayList<>(List.of(mxHost, "25", recipient, acceptedLog().toString(),
                String.valueOf(count), String.valueOf(threads), style));
        arguments.addAll(List.of(extra));
        AppProcess app = AppProcess.start(QueueApps.command(library, config, hosts, List.of(), arguments),
                dir.resolve("app-" + apps.size() + ".err"));
        apps.add(app);
        return app;
    }

    /** Waits (at most two minutes) until the queue holds no message; a failure shows {@code app}. */
    void awaitEmptyQueue(AppProcess app) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        List<QueuedMessage> left = queued(false);
        while (!left.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(left.size() + " message(s) still queued after two minutes, e.g. " + left.get(0)
                        + "; the application: " + app);
            }
            AppProcess.pause(200);
            left = queued(false);
        }
    }

    /** The messages in the queue directory now (and those in dead/ with {@code dead}), read from this JVM. */
    List<QueuedMessage> queued(boolean dead) {
        try (MessageQueue queue = MessageQueue.openExisting(queueDir())) {
            return dead ? queue.dead() : queue.messages();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
