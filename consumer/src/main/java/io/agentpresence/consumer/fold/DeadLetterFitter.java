package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.error.DeadLetterCopy;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Cuts the fold's dead letters to fit before its producer sends them, as the consumer does. Under exactly-once a
 * record the broker refuses aborts the whole transaction, whatever the production exception handler says, so a
 * device record too large to dead-letter whole would stop the fold and stop it again after every restart.
 */
public final class DeadLetterFitter implements ProducerInterceptor<byte[], byte[]> {

    static final String TOPIC_CONFIG = "presence.dlq.topic";
    static final String MAX_VALUE_BYTES_CONFIG = "presence.dlq.max.value.bytes";

    private String topic;
    private int maxValueBytes;

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
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        return record.topic().equals(topic) ? DeadLetterCopy.fitted(record, maxValueBytes) : record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        // the fold's production exception handler judges failures
    }

    @Override
    public void close() {
    }
}
