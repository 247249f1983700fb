package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.ops.FoldMetrics;
import java.util.Set;
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

    private FoldTopology() {
    }

    public static Topology build(FoldSettings settings, FoldMetrics metrics) {
        return PresenceStage.topology(SOURCE, settings.deviceTopic(), PROCESSOR, new Supplier(settings, metrics),
                settings.presenceTopic(), settings.deadLetterTopic());
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
