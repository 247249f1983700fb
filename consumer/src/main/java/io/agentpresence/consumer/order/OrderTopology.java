package io.agentpresence.consumer.order;

import io.agentpresence.consumer.fold.PresenceStage;
import io.agentpresence.consumer.ops.OrderMetrics;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The order stage as a Kafka Streams topology: raw topic → {@link OrderProcessor} → presence topic, with invalid
 * records to the dead-letter topic. The processor keeps one persistent store of users ({@value #USERS}), backed by
 * a changelog topic. No sink names a partitioner: the producer's default one maps a userId to a partition as the
 * publishers' does.
 */
public final class OrderTopology {

    public static final String USERS = "order-users";
    static final String SOURCE = "raw-events";
    static final String PROCESSOR = "order";

    private OrderTopology() {
    }

    public static Topology build(OrderSettings settings, OrderMetrics metrics) {
        return PresenceStage.topology(SOURCE, settings.rawTopic(), PROCESSOR, new Supplier(settings, metrics),
                settings.presenceTopic(), settings.deadLetterTopic());
    }

    private record Supplier(OrderSettings settings, OrderMetrics metrics)
            implements ProcessorSupplier<byte[], byte[], byte[], byte[]> {

        @Override
        public Processor<byte[], byte[], byte[], byte[]> get() {
            return new OrderProcessor(settings, metrics);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(USERS), Serdes.String(),
                    new UserOrderSerde()));
        }
    }
}
