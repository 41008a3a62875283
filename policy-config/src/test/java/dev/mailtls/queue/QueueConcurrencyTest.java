package dev.mailtls.queue;

import static dev.mailtls.queue.QueueFixtures.destination;
import static dev.mailtls.queue.QueueFixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads, and two queue instances, on one directory. */
class QueueConcurrencyTest {
    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final Logger queueLog = Logger.getLogger("dev.mailtls.queue");
    private Level previousLevel;

    @BeforeEach
    void quiet() {
        previousLevel = queueLog.getLevel();
        queueLog.setLevel(Level.WARNING); // a thousand "queued" lines say nothing here
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
        queueLog.setLevel(previousLevel);
    }

    @Test
    void eightThreadsEnqueueAThousandMessagesEachListedOnceWithItsOwnBytes() throws Exception {
        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            CyclicBarrier start = new CyclicBarrier(8);
            List<Future<List<QueuedMessage>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(threads.submit(() -> {
                    start.await();
                    List<QueuedMessage> mine = new ArrayList<>();
                    for (int i = 0; i < 125; i++) {
                        String text = "message " + thread + "-" + i;
                        mine.add(queue.enqueue(envelope(), destination(), text,
                                out -> out.write(text.getBytes(StandardCharsets.UTF_8))));
                    }
                    return mine;
                }));
            }
            Map<String, String> reasonById = new HashMap<>();
            for (Future<List<QueuedMessage>> result : results) {
                for (QueuedMessage message : result.get()) {
                    assertThat(reasonById.put(message.id(), message.reason())).as("id handed out twice").isNull();
                }
            }

            List<QueuedMessage> listed = queue.messages();

            assertThat(listed).hasSize(1000);
            assertThat(listed).extracting(QueuedMessage::id).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(reasonById.keySet()).isSorted();
            assertThat(queue.corrupted()).isEmpty();
            for (QueuedMessage message : listed) {
                try (Claim claim = queue.claim(message.id(), Instant.now(), m -> true).get()) {
                    assertThat(QueueFixtures.text(claim)).isEqualTo(reasonById.get(message.id()));
                }
            }
        }
    }

    @Test
    void twoInstancesInOneJvmNeverHoldOneMessageAtTheSameTime() throws Exception {
        try (MessageQueue first = MessageQueue.open(QueueSettings.builder(dir).build());
                MessageQueue second = MessageQueue.open(QueueSettings.builder(dir).build())) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                ids.add(first.enqueue(envelope(), destination(), "r", QueueFixtures.body("m" + i)).id());
            }
            try (Claim held = first.claimDue(Instant.now()).get()) {
                assertThat(second.claim(held.message().id(), Instant.now(), m -> true)).isEmpty();
                assertThat(second.isClaimed(held.message().id())).isTrue();
            }

            Set<String> inDelivery = ConcurrentHashMap.newKeySet();
            Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
            AtomicInteger overlaps = new AtomicInteger();
            List<Callable<Void>> drainers = new ArrayList<>();
            for (MessageQueue queue : new MessageQueue[] {first, second, first, second, first, second, first, second}) {
                drainers.add(() -> {
                    for (Optional<Claim> next = queue.claimDue(Instant.now()); next.isPresent(); next = queue.claimDue(Instant.now())) {
                        try (Claim claim = next.get()) {
                            String id = claim.message().id();
                            if (!inDelivery.add(id)) {
                                overlaps.incrementAndGet();
                            }
                            deliveries.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
                            Thread.yield();
                            inDelivery.remove(id);
                            claim.delivered();
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> done : threads.invokeAll(drainers)) {
                done.get();
            }

            assertThat(overlaps).hasValue(0);
            assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(deliveries.values()).allSatisfy(count -> assertThat(count).hasValue(1));
            assertThat(first.messages()).isEmpty();
        }
    }

    @Test
    void theLockFileOfOneDirectoryIsSharedAndOutlivesTheFirstInstanceToClose() throws Exception {
        MessageQueue first = MessageQueue.open(QueueSettings.builder(dir).build());
        try (MessageQueue second = MessageQueue.open(QueueSettings.builder(dir.resolve(".")).build())) {
            String id = second.enqueue(envelope(), destination(), "r", QueueFixtures.body("x")).id();
            try (Claim claim = second.claimDue(Instant.now()).get()) {
                first.close(); // would drop this JVM's locks on queue.lock if it had a channel of its own
                try (MessageQueue third = MessageQueue.open(QueueSettings.builder(dir).build())) {
                    assertThat(third.isClaimed(id)).isTrue();
                }
                assertThat(claim.message().id()).isEqualTo(id);
            }
        } catch (IOException e) {
            first.close();
            throw e;
        }
    }

    @Test
    void idsOfMessagesQueuedInTheSameMillisecondDiffer() {
        Instant now = Instant.parse("2024-05-01T10:00:00Z");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(MessageId.next(now));
        }
        assertThat(ids).hasSizeGreaterThan(9_990).allSatisfy(id -> assertThat(id).startsWith("018F3398C100"));
        assertThat(Collections.max(ids)).hasSize(20);
    }
}
