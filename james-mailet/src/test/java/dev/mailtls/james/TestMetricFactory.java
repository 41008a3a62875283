package dev.mailtls.james;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.reactivestreams.Publisher;

/** James's metric API counting in memory: James's implementations (Dropwizard) are not published for 3.9. */
final class TestMetricFactory implements MetricFactory {
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    long count(String name) {
        AtomicLong count = counts.get(name);
        return count == null ? 0 : count.get();
    }

    @Override
    public Metric generate(String name) {
        AtomicLong count = counts.computeIfAbsent(name, any -> new AtomicLong());
        return new Metric() {
            @Override
            public void increment() {
                count.incrementAndGet();
            }

            @Override
            public void decrement() {
                count.decrementAndGet();
            }

            @Override
            public void add(int value) {
                count.addAndGet(value);
            }

            @Override
            public void remove(int value) {
                count.addAndGet(-value);
            }

            @Override
            public long getCount() {
                return count.get();
            }
        };
    }

    @Override
    public TimeMetric timer(String name) {
        return new TimeMetric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ExecutionResult stopAndPublish() {
                counts.computeIfAbsent(name, any -> new AtomicLong()).incrementAndGet();
                return new ExecutionResult() {
                    @Override
                    public java.time.Duration elasped() {
                        return java.time.Duration.ZERO;
                    }

                    @Override
                    public ExecutionResult logWhenExceedP99(java.time.Duration threshold) {
                        return this;
                    }
                };
            }

            @Override
            public void record(java.time.Duration duration) {
                counts.computeIfAbsent(name, any -> new AtomicLong()).incrementAndGet();
            }
        };
    }

    @Override
    public <T> Publisher<T> decoratePublisherWithTimerMetric(String name, Publisher<T> publisher) {
        return publisher;
    }

    @Override
    public <T> Publisher<T> decoratePublisherWithTimerMetricLogP99(String name, Publisher<T> publisher) {
        return publisher;
    }
}
