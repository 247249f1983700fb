package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.ops.FoldMetrics;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The fold as a Kafka Streams topology: device topic → {@link FoldProcessor} → presence topic, with invalid
 * records to the dead-letter topic. The processor keeps two persistent stores, each backed by a changelog
 * topic: the users ({@value #USERS}) and their expiry index ({@value #EXPIRY}).
 */
public final class FoldTopology {

    public static final String USERS = "fold-users";
    public static final String EXPIRY = "fold-expiry";
    static final String SOURCE = "device-events";
    static final String PROCESSOR = "fold";
    static final String PRESENCE_SINK = "presence-events";
    static final String DEAD_LETTER_SINK = "dead-letters";

    private FoldTopology() {
    }

    public static Topology build(FoldSettings settings, FoldMetrics metrics) {
        Topology topology = new Topology();
        // bytes in and out: decoding is ours, so a bad record becomes a dead letter instead of a stopped task
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.deviceTopic());
        topology.addProcessor(PROCESSOR, new Supplier(settings, metrics), SOURCE);
        topology.addSink(PRESENCE_SINK, settings.presenceTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, settings.deadLetterTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    private record Supplier(FoldSettings settings, FoldMetrics metrics)
            implements ProcessorSupplier<byte[], byte[], byte[], byte[]> {

        @Override
        public Processor<byte[], byte[], byte[], byte[]> get() {
            return new FoldProcessor(settings, metrics);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(USERS), Serdes.String(),
                            new UserPresenceSerde()),
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EXPIRY), Serdes.Bytes(),
                            Serdes.ByteArray()));
        }
    }
}
