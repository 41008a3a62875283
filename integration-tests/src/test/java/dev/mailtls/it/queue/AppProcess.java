package dev.mailtls.it.queue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An application JVM of the queue tests, running: its standard output line by line as it comes,
 * its standard error (the agent's log) in a file that can be read at any time, a line to its
 * input, and its end, orderly or by {@code SIGKILL}. Waiting for output has a generous limit that
 * only bounds how long a failing test hangs.
 */
final class AppProcess {
    private final List<String> command;
    private final Process process;
    private final Path stderr;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private AppProcess(List<String> command, Process process, Path stderr) {
        this.command = command;
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::readOutput, "queue-app-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command}; its standard error goes to {@code stderr}, appended. */
    static AppProcess start(List<String> command, Path stderr) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
            return new AppProcess(command, process, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process is gone; what was read stays.
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    /** The standard output lines so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The first output line matching {@code wanted}, waiting for it at most {@code limit}; fails otherwise. */
    String awaitLine(Predicate<String> wanted, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (lines) {
            while (true) {
                Optional<String> found = lines.stream().filter(wanted).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("the application did not print the line expected within " + limit + "; "
                            + this);
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** The application's standard error so far: the agent's log lines. */
    String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (at most {@code limit}) for the agent's log to contain {@code text}; fails otherwise. */
    void awaitLog(String text, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!stderr().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + text + "\" in the agent's log within " + limit + "; " + this);
            }
            pause(100);
        }
    }

    /** Ends the application with {@code SIGKILL} (Process.destroyForcibly on Linux) and waits for it to be gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** Tells the application to end (a line on its input) and waits for it; returns its exit code. */
    int finish() {
        try {
            OutputStream in = process.getOutputStream();
            in.write("exit\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            // Already gone: its exit code tells.
        }
        return awaitExit();
    }

    private int awaitExit() {
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("the application did not end within 2 minutes; " + this);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        List<String> out = lines();
        String stdout = String.join("\n", out.subList(Math.max(0, out.size() - 40), out.size()));
        String err = stderr();
        return String.join(" ", command) + "\n--- stdout (last 40 lines)\n" + stdout + "\n--- stderr (last 6000 chars)\n"
                + err.substring(Math.max(0, err.length() - 6000));
    }
}
