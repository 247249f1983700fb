package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.error.DeadLetterCopy;
import io.agentpresence.consumer.ops.FoldMetrics;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the fold does when the broker refuses one of its output records. A refusal of that one record (too large,
 * invalid for the topic, a timestamp out of range) is logged, counted and skipped: failing would stop the fold,
 * and after a restart it would read the same record and fail again. Failures that pass are retried; anything
 * else stops the fold. Under exactly-once Kafka's producer still aborts the transaction that held the refused
 * record, so the fold's own dead letters, the records it cannot bound, are cut to fit before they are sent
 * ({@link DeadLetterFitter}). The order stage installs it too, counting in its own meters.
 */
public final class FoldProductionExceptionHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FoldProductionExceptionHandler.class);
    /** Streams hands its settings to {@link #configure}; under this one it finds the meter of skipped records. */
    static final String METRICS_CONFIG = "presence.fold.metrics";

    private Consumer<FoldMetrics.Dropped> dropped;

    /** Makes {@code streams} use this handler, counting each skipped record in {@code dropped}. */
    public static void install(Properties streams, Consumer<FoldMetrics.Dropped> dropped) {
        streams.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                FoldProductionExceptionHandler.class.getName());
        streams.put(METRICS_CONFIG, dropped);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        // put there by install, with this type
        dropped = (Consumer<FoldMetrics.Dropped>) configs.get(METRICS_CONFIG);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                Exception exception) {
        FoldMetrics.Dropped reason = refusal(exception);
        if (reason != null) {
            LOG.warn("The broker refuses an output record to {} ({}); it came from {}-{}@{}; under exactly-once the"
                    + " transaction aborts and this stage stops on it until the topic takes it",
                    record.topic(), exception.toString(), context.topic(), context.partition(), context.offset());
            if (dropped != null) {
                dropped.accept(reason);
            }
            return Response.resume();
        }
        // a broker that is down or slow: Streams retries the task; anything else is not the record's fault
        return exception instanceof RetriableException ? Response.retry() : Response.fail();
    }

    @Override
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        // the fold's serializers pass bytes through; a failure there is a bug, and skipping would hide it
        return Response.fail();
    }

    /** Why the broker will never take this record, or null when the failure is not about the record. */
    static FoldMetrics.Dropped refusal(Exception exception) {
        if (DeadLetterCopy.tooLarge(exception)) {
            return FoldMetrics.Dropped.TOO_LARGE;
        }
        if (exception instanceof InvalidRecordException || exception instanceof InvalidTimestampException) {
            return FoldMetrics.Dropped.INVALID;
        }
        return null;
    }
}
