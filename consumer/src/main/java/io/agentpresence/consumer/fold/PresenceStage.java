package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.error.DeadLetterHeaders;
import io.agentpresence.model.MalformedEventException;
import java.util.Optional;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the fold and the order stage have in common as Kafka Streams topologies: bytes from one input topic through
 * one processor, and bytes out to the presence topic or, for a record that is not a valid event, to the dead-letter
 * topic. Bytes in and out because decoding is ours: a bad record becomes a dead letter instead of a stopped task.
 */
public final class PresenceStage {

    public static final String PRESENCE_SINK = "presence-events";
    public static final String DEAD_LETTER_SINK = "dead-letters";

    private static final Logger LOG = LoggerFactory.getLogger(PresenceStage.class);

    private PresenceStage() {
    }

    /** input topic ({@code source}) → {@code processor} → the presence topic or the dead-letter topic. */
    public static Topology topology(String source, String inputTopic, String processor,
                                    ProcessorSupplier<byte[], byte[], byte[], byte[]> supplier, String presenceTopic,
                                    String deadLetterTopic) {
        Topology topology = new Topology();
        topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(), inputTopic);
        topology.addProcessor(processor, supplier, source);
        topology.addSink(PRESENCE_SINK, presenceTopic, new ByteArraySerializer(), new ByteArraySerializer(), processor);
        topology.addSink(DEAD_LETTER_SINK, deadLetterTopic, new ByteArraySerializer(), new ByteArraySerializer(),
                processor);
        return topology;
    }

    /** Sends {@code record} to the dead-letter topic with the headers that say why and where it came from. */
    public static void deadLetter(ProcessorContext<byte[], byte[]> context, Record<byte[], byte[]> record,
                                  MalformedEventException e) {
        Optional<RecordMetadata> origin = context.recordMetadata();
        String topic = origin.map(RecordMetadata::topic).orElse("");
        int partition = origin.map(RecordMetadata::partition).orElse(-1);
        long offset = origin.map(RecordMetadata::offset).orElse(-1L);
        LOG.warn("Dead-lettering {}-{}@{}: {}", topic, partition, offset, e.getMessage());
        context.forward(record.withHeaders(DeadLetterHeaders.of(record.headers(), e.rejection().code(), e, topic,
                partition, offset, context.applicationId())), DEAD_LETTER_SINK);
    }
}
