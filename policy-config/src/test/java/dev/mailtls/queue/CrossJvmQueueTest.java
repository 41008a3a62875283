package dev.mailtls.queue;

import static dev.mailtls.queue.QueueFixtures.body;
import static dev.mailtls.queue.QueueFixtures.destination;
import static dev.mailtls.queue.QueueFixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real second JVMs ({@link QueueChild}) on one queue directory: the file locks keep them apart,
 * die with them, and a JVM killed with SIGKILL at any point loses no accepted message.
 */
class CrossJvmQueueTest {
    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();
    private final Logger queueLog = Logger.getLogger("dev.mailtls.queue");
    private Level previousLevel;

    @BeforeEach
    void quiet() {
        previousLevel = queueLog.getLevel();
        queueLog.setLevel(Level.WARNING);
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly().waitFor();
        }
        queueLog.setLevel(previousLevel);
    }

    private Process child(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(location(MessageQueue.class) + File.pathSeparator + location(QueueChild.class));
        command.add(QueueChild.class.getName());
        for (String arg : args) {
            command.add(arg);
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(process);
        return process;
    }

    private static String location(Class<?> type) {
        try {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static BufferedReader lines(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    @Test
    void aMessageClaimedByAnotherJvmIsOffLimitsUntilThatJvmDies() throws Exception {
        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            String id = queue.enqueue(envelope(), destination(), "r", body("x")).id();
            Process holder = child("hold", dir.toString());
            assertThat(lines(holder).readLine()).isEqualTo("CLAIMED " + id);

            assertThat(queue.claimDue(Instant.now())).isEmpty();
            assertThat(queue.isClaimed(id)).isTrue();
            assertThatThrownBy(() -> queue.delete(id)).isInstanceOf(QueueException.class).hasMessageContaining("right now");

            holder.destroyForcibly().waitFor(); // SIGKILL: no chance to release anything itself

            try (Claim claim = queue.claimDue(Instant.now()).get()) {
                assertThat(claim.message().id()).isEqualTo(id);
                assertThat(claim.message().attempts()).isEmpty();
            }
        }
    }

    @Test
    void twoJvmsDrainingOneQueueDeliverEveryMessageExactlyOnce() throws Exception {
        Set<String> ids = new HashSet<>();
        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            for (int i = 0; i < 400; i++) {
                ids.add(queue.enqueue(envelope(), destination(), "r", body("m" + i)).id());
            }
        }
        Process first = child("drain", dir.toString());
        Process second = child("drain", dir.toString());
        BufferedReader firstOut = lines(first);
        BufferedReader secondOut = lines(second);
        assertThat(firstOut.readLine()).isEqualTo("READY");
        assertThat(secondOut.readLine()).isEqualTo("READY");
        for (Process child : new Process[] {first, second}) {
            OutputStream go = child.getOutputStream();
            go.write("GO\n".getBytes(StandardCharsets.UTF_8));
            go.flush();
        }

        List<String> delivered = new ArrayList<>();
        List<String> byFirst = deliveredUntilDone(firstOut);
        List<String> bySecond = deliveredUntilDone(secondOut);
        delivered.addAll(byFirst);
        delivered.addAll(bySecond);

        assertThat(byFirst).as("both JVMs took part").isNotEmpty();
        assertThat(bySecond).as("both JVMs took part").isNotEmpty();
        assertThat(delivered).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
        assertThat(first.waitFor()).isZero();
        assertThat(second.waitFor()).isZero();
        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            assertThat(queue.messages()).isEmpty();
        }
    }

    private static List<String> deliveredUntilDone(BufferedReader out) throws IOException {
        List<String> delivered = new ArrayList<>();
        for (String line = out.readLine(); !"DONE".equals(line); line = out.readLine()) {
            assertThat(line).as("child output").isNotNull().startsWith("DELIVERED ");
            delivered.add(line.substring("DELIVERED ".length()));
        }
        return delivered;
    }

    @Test
    void jvmsKilledWhileEnqueuingLoseNoAcceptedMessageAndLeaveNoDebris() throws Exception {
        Random random = new Random(20240501);
        Map<String, Integer> accepted = new HashMap<>();
        int next = 0;
        for (int kill = 0; kill < 6; kill++) {
            Process writer = child("enqueue", dir.toString(), Integer.toString(next));
            BufferedReader out = lines(writer);
            int wanted = 1 + random.nextInt(40);
            for (int i = 0; i < wanted; i++) {
                String[] line = out.readLine().split(" ");
                accepted.put(line[1], Integer.parseInt(line[2]));
            }
            writer.destroyForcibly().waitFor(); // SIGKILL somewhere inside the next enqueue
            next += 10_000;
        }

        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            Map<String, QueuedMessage> queued = queue.messages().stream()
                    .collect(Collectors.toMap(QueuedMessage::id, message -> message));
            assertThat(queue.corrupted()).isEmpty();
            assertThat(queued.keySet()).containsAll(accepted.keySet());
            for (Map.Entry<String, Integer> message : accepted.entrySet()) {
                try (Claim claim = queue.claim(message.getKey(), Instant.now(), m -> true).get();
                        InputStream in = claim.openBody()) {
                    assertThat(in.readAllBytes()).isEqualTo(QueueChild.bytes(message.getValue()));
                    assertThat(claim.message().envelope().recipients()).containsExactly("n" + message.getValue() + "@example.org");
                }
            }
            assertThat(dir.resolve("tmp")).isEmptyDirectory();
            try (java.util.stream.Stream<Path> files = Files.list(dir.resolve("active"))) {
                assertThat(files.map(file -> file.getFileName().toString()).collect(Collectors.toList()))
                        .as("every message is a pair of files").hasSize(2 * queued.size());
            }
        }
    }

    @Test
    void jvmsKilledWhileDeliveringNeitherLoseNorResurrectMessages() throws Exception {
        Set<String> all = new HashSet<>();
        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            for (int i = 0; i < 200; i++) {
                all.add(queue.enqueue(envelope(), destination(), "r", QueueChild.body(i)).id());
            }
        }
        Random random = new Random(7);
        Set<String> delivered = new HashSet<>();
        Set<String> deferred = new HashSet<>();
        for (int kill = 0; kill < 4; kill++) {
            Process worker = child("work", dir.toString());
            BufferedReader out = lines(worker);
            int wanted = 1 + random.nextInt(30);
            for (int i = 0; i < wanted; i++) {
                String line = out.readLine();
                if (line == null || line.equals("DONE")) {
                    break;
                }
                (line.startsWith("DELIVERED ") ? delivered : deferred).add(line.substring(line.indexOf(' ') + 1));
            }
            worker.destroyForcibly().waitFor();
        }

        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            Set<String> left = queue.messages().stream().map(QueuedMessage::id).collect(Collectors.toSet());
            assertThat(queue.corrupted()).isEmpty();
            assertThat(left).doesNotContainAnyElementsOf(delivered);
            Set<String> expected = new HashSet<>(all);
            expected.removeAll(delivered);
            // A message whose removal was under way when the JVM died may be gone without its DELIVERED line.
            assertThat(expected).hasSizeLessThanOrEqualTo(left.size() + 4);
            assertThat(expected).containsAll(left);
            for (String id : deferred) {
                assertThat(queue.find(id)).get().satisfies(message -> assertThat(message.attempts()).hasSize(1));
            }
        }
    }
}
