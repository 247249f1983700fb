package io.agentpresence.consumer.fold;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one Kafka Streams application of the service (the fold, the order stage): its state changes logged,
 * a stream thread whose transaction the broker aborted while it was away replaced ({@link StreamThreadFailures}),
 * any other failure stopping the whole application so the process exits and its supervisor restarts it, and a
 * close that commits, leaves the group and counts as stopped.
 */
public final class StreamsApplication {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApplication.class);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);

    private final String name;
    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final StreamThreadFailures threadFailures = new StreamThreadFailures(System::nanoTime);
    private volatile Throwable failure;

    /** @param name what the logs call the application, e.g. "Fold" */
    public StreamsApplication(String name, KafkaStreams streams) {
        this.name = name;
        this.streams = streams;
        streams.setStateListener(this::stateChanged);
        streams.setUncaughtExceptionHandler(this::failed);
        streams.setGlobalStateRestoreListener(new RestoreLog());
    }

    public void start() {
        streams.start();
    }

    private void stateChanged(KafkaStreams.State now, KafkaStreams.State before) {
        LOG.info("{} {} (was {})", name, now, before);
        if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            stopped.countDown();
        }
    }

    private StreamThreadExceptionResponse failed(Throwable e) {
        StreamThreadExceptionResponse response = threadFailures.responseTo(e);
        if (response == StreamThreadExceptionResponse.REPLACE_THREAD) {
            LOG.warn("{}: a stream thread lost its transaction ({}); a new thread continues from the last commit",
                    name, e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return response;
        }
        failure = e;
        LOG.error("Stopping: {} failed: {}", name, e.getMessage(), e);
        return response;
    }

    /** Live: starting, rebalancing or running; not failed or stopped. */
    public boolean isLive() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.CREATED || state.isRunningOrRebalancing();
    }

    /** Ready: every assigned task restored and processing. */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** The failure that stopped the application, if one did. */
    public Throwable failure() {
        return failure;
    }

    /** Blocks until the application stops (after {@link #close()}, or a failure). */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    KafkaStreams streams() {
        return streams;
    }

    /** Commits what was processed and leaves the group, so the partitions move at once. */
    public void close() {
        if (!streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            LOG.warn("{} still closing after {} s", name, CLOSE_TIMEOUT.toSeconds());
        }
        stopped.countDown();
    }
}
