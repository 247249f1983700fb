package io.agentpresence.consumer.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** What the command line needs of a long-running service ({@code run}, {@code fold}): meters, health, its end. */
public interface Service extends AutoCloseable {

    /** The service's meters, in Prometheus format via {@link PrometheusMeterRegistry#scrape()}. */
    PrometheusMeterRegistry meterRegistry();

    /** Live: starting or working, not failed or stopped; a supervisor restarts it when this turns false. */
    boolean isLive();

    /** Ready: doing its work now. */
    boolean isReady();

    /** Blocks until the service stops: after {@link #close()}, or a failure of its own. */
    void awaitTermination() throws InterruptedException;

    /** The failure that stopped the service, if one did. */
    Throwable failure();

    /** Stops the service, finishing the work under way. */
    @Override
    void close();
}
