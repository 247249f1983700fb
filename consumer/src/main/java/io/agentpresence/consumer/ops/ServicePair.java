package io.agentpresence.consumer.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CountDownLatch;

/**
 * Two services that run as one ({@code run} with the order stage beside the consumer): live and ready only when
 * both are, stopped as soon as either stops, so the supervisor restarts the pair. The meters are the first's,
 * which the second records in too. Each service's {@code awaitTermination} is waited on by a thread of its own,
 * named after the service; nothing else is touched by those threads.
 */
public final class ServicePair implements Service {

    private final Service first;
    private final Service second;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public ServicePair(Service first, String firstName, Service second, String secondName) {
        this.first = first;
        this.second = second;
        watch(first, firstName);
        watch(second, secondName);
    }

    private void watch(Service service, String name) {
        Thread watcher = new Thread(() -> {
            try {
                service.awaitTermination();
            } catch (InterruptedException e) {
                // the JVM is going down; the pair counts as stopped
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "presence-watch-" + name);
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    public PrometheusMeterRegistry meterRegistry() {
        return first.meterRegistry();
    }

    @Override
    public boolean isLive() {
        return first.isLive() && second.isLive();
    }

    @Override
    public boolean isReady() {
        return first.isReady() && second.isReady();
    }

    /** Blocks until either service stops. */
    @Override
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    @Override
    public Throwable failure() {
        return first.failure() != null ? first.failure() : second.failure();
    }

    /** Stops the second, then the first: the second is upstream of the first ({@code run}: stage, then consumer). */
    @Override
    public void close() {
        try {
            second.close();
        } finally {
            first.close();
        }
    }
}
