package io.agentpresence.consumer.order;

import io.agentpresence.consumer.ops.OrderMetrics;
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
 * The order stage as a Kafka Streams topology: raw topic → {@link OrderProcessor} → presence topic, with invalid
 * records to the dead-letter topic. The processor keeps one persistent store of users ({@value #USERS}), backed by
 * a changelog topic. No sink names a partitioner: the producer's default one maps a userId to a partition as the
 * publishers' does.
 */
public final class OrderTopology {

    public static final String USERS = "order-users";
    static final String SOURCE = "raw-events";
    static final String PROCESSOR = "order";
    static final String PRESENCE_SINK = "presence-events";
    static final String DEAD_LETTER_SINK = "dead-letters";

    private OrderTopology() {
    }

    public static Topology build(OrderSettings settings, OrderMetrics metrics) {
        Topology topology = new Topology();
        // bytes in and out: decoding is ours, so a bad record becomes a dead letter instead of a stopped task
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.rawTopic());
        topology.addProcessor(PROCESSOR, new Supplier(settings, metrics), SOURCE);
        topology.addSink(PRESENCE_SINK, settings.presenceTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, settings.deadLetterTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        return topology;
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
