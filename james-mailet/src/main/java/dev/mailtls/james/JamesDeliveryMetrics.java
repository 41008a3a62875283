package dev.mailtls.james;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;

/**
 * The mailet's counters and timer in James's {@link MetricFactory}: JMX, WebAdmin's
 * {@code /metrics} and whatever else James reports them to. Names start with {@code mailtls},
 * beside RemoteDelivery's {@code outgoingMails} and {@code RemoteDeliveryTrial}. A class of its own
 * so that the metrics API is only loaded when James injected a factory.
 */
final class JamesDeliveryMetrics implements DeliveryMetrics {
    static final String DELIVERED = "mailtlsDelivered";
    static final String DEFERRED = "mailtlsDeferred";
    static final String BOUNCED = "mailtlsBounced";
    static final String AUDITED = "mailtlsAudited";
    static final String ATTEMPT = "mailtlsDeliveryAttempt";

    private final MetricFactory factory;
    private final Metric delivered;
    private final Metric deferred;
    private final Metric bounced;
    private final Metric audited;

    JamesDeliveryMetrics(MetricFactory factory) {
        this.factory = factory;
        this.delivered = factory.generate(DELIVERED);
        this.deferred = factory.generate(DEFERRED);
        this.bounced = factory.generate(BOUNCED);
        this.audited = factory.generate(AUDITED);
    }

    @Override
    public void delivered() {
        delivered.increment();
    }

    @Override
    public void deferred() {
        deferred.increment();
    }

    @Override
    public void bounced() {
        bounced.increment();
    }

    @Override
    public void audited() {
        audited.increment();
    }

    @Override
    public Timer attempt() {
        TimeMetric timer = factory.timer(ATTEMPT);
        return timer::stopAndPublish;
    }
}
