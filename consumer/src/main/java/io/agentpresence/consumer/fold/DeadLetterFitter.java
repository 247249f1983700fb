package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.error.DeadLetterCopy;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts the fold's dead letters to fit before its producer sends them, as the consumer does. Under exactly-once a
 * record the broker refuses aborts the whole transaction, whatever the production exception handler says, so a
 * device record too large to dead-letter whole would stop the fold and stop it again after every restart. The
 * consumer sends a refused copy again without its value and original headers; the fold cannot send again, so it
 * sends that copy at once when the cut one, headers included, could be larger than its producer's
 * {@code max.request.size}.
 */
public final class DeadLetterFitter implements ProducerInterceptor<byte[], byte[]> {

    static final String TOPIC_CONFIG = "presence.dlq.topic";
    static final String MAX_VALUE_BYTES_CONFIG = "presence.dlq.max.value.bytes";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterFitter.class);

    private String topic;
    private int maxValueBytes;
    private int maxRecordBytes;

    /** Makes the producer of {@code streams} cut the records it sends to {@code topic}. */
    public static void install(Properties streams, String topic, int maxValueBytes) {
        streams.put(StreamsConfig.producerPrefix(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG),
                DeadLetterFitter.class.getName());
        streams.put(StreamsConfig.producerPrefix(TOPIC_CONFIG), topic);
        streams.put(StreamsConfig.producerPrefix(MAX_VALUE_BYTES_CONFIG), String.valueOf(maxValueBytes));
    }

    @Override
    public void configure(Map<String, ?> configs) {
        topic = String.valueOf(configs.get(TOPIC_CONFIG));
        maxValueBytes = Integer.parseInt(String.valueOf(configs.get(MAX_VALUE_BYTES_CONFIG)));
        // the producer hands its interceptors the settings it was given, not its defaults
        Object maxRequestSize = configs.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        maxRecordBytes = maxRequestSize != null ? Integer.parseInt(String.valueOf(maxRequestSize))
                : (Integer) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        if (!record.topic().equals(topic)) {
            return record;
        }
        ProducerRecord<byte[], byte[]> fitted = DeadLetterCopy.fitted(record, maxValueBytes);
        long size = DeadLetterCopy.sizeUpperBound(fitted);
        if (size <= maxRecordBytes) {
            return fitted;
        }
        // PresenceStage has just logged, on this same thread, which record this is
        LOG.warn("The dead letter could take {} bytes even with its value cut to {}, over the producer's {} of {};"
                + " sending it without its value and original headers", size, maxValueBytes,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
        return DeadLetterCopy.minimal(record);
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        // the fold's production exception handler judges failures
    }

    @Override
    public void close() {
    }
}
