package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.sink.PresenceWriter;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Re-applies the topic from a point in time (or from the beginning) to the live table, up to the end offsets
 * seen at the start. Safe while the service runs, with one limit: the upsert never moves a row back in time, but
 * of two events with the same {@code ts} the one applied last wins, so a replayed event can undo a newer one of
 * equal {@code ts} that the service applied meanwhile, until the user's next event. No consumer group is joined.
 */
public final class Replay {

    private final PresenceConsumerConfig config;
    private final PresenceWriter writer;
    private final FailureClassifier classifier;
    private final PrintWriter out;

    public Replay(PresenceConsumerConfig config, PresenceWriter writer, FailureClassifier classifier, PrintWriter out) {
        this.config = config;
        this.writer = writer;
        this.classifier = classifier;
        this.out = out;
    }

    /** @param from the first event time to re-apply; null for the beginning of the topic */
    public long run(Instant from) throws Exception {
        try (TopicReader reader = new TopicReader(config, "replay", classifier)) {
            Map<TopicPartition, Long> start = reader.offsetsAt(from);
            Map<TopicPartition, Long> end = reader.endOffsets();
            reader.seek(start);
            Progress progress = new Progress(out, "replay", reader.remaining(end));
            out.println("replay: " + config.topic() + " from " + (from == null ? "the beginning" : from) + ", "
                    + String.format("%,d", reader.remaining(end)) + " events to the end offsets seen now");
            reader.applyUntil(end, writer, progress, Deadline.NONE);
            progress.finish(reader.invalidRecords() + " invalid records skipped");
            return progress.done();
        }
    }
}
