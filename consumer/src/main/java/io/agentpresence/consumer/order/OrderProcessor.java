package io.agentpresence.consumer.order;

import io.agentpresence.consumer.engine.RecordDecoder;
import io.agentpresence.consumer.fold.PresenceStage;
import io.agentpresence.consumer.ops.OrderMetrics;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's order stage: decodes raw records exactly as the consumer does ({@link RecordDecoder}), asks
 * {@link OrderRule} whether each is a newer state of its user, and forwards only those to the presence topic, as
 * they came (key, value, timestamp, headers); a bare heartbeat goes on carrying the user's status. Invalid
 * records go to the dead-letter topic, inside the same transaction as everything else.
 */
final class OrderProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private final RecordDecoder decoder;
    private final PresenceEventCodec output;
    private final OrderMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, UserOrder> users;

    OrderProcessor(OrderSettings settings, OrderMetrics metrics) {
        this.decoder = new RecordDecoder(settings.codec());
        // a heartbeat passed on carries validated input and its own ts as record timestamp: only the consumer's
        // check of ts against that timestamp applies, not this machine's clock
        this.output = new PresenceEventCodec(settings.codec().statuses(), Duration.ofMillis(Long.MAX_VALUE),
                PresenceEventCodec.DEFAULT_MAX_VALUE_BYTES);
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.users = context.getStateStore(OrderTopology.USERS);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        PresenceChange change;
        try {
            change = decoder.decode(consumerRecord(record), 0);
        } catch (MalformedEventException e) {
            // content the contract refuses: it goes aside, the partition goes on
            deadLetter(record, e);
            return;
        }
        UserOrder user = users.get(change.userId());
        if (user == null) {
            user = UserOrder.NONE;
        }
        OrderMetrics.Kind kind = kind(change);
        metrics.read(kind);
        OrderRule.Step step = switch (change.kind()) {
            case DELETE -> OrderRule.deletion(user, change.ts());
            case STATUS -> OrderRule.statement(user, change.ts(), change.status(), change.source());
            case HEARTBEAT -> change.confirmsStatus()
                    ? OrderRule.statement(user, change.ts(), change.status(), change.source())
                    : OrderRule.heartbeat(user, change.ts(), change.source());
        };
        if (!step.next().equals(user)) {
            users.put(change.userId(), step.next());
        }
        if (!step.forwards()) {
            metrics.dropped(step.dropped());
            return;
        }
        if (change.isHeartbeat() && !change.confirmsStatus()) {
            context.forward(withStatus(record, change, step.next().statement().status()), PresenceStage.PRESENCE_SINK);
        } else {
            context.forward(record, PresenceStage.PRESENCE_SINK);
        }
        metrics.forwarded(kind);
    }

    private static OrderMetrics.Kind kind(PresenceChange change) {
        return switch (change.kind()) {
            case DELETE -> OrderMetrics.Kind.TOMBSTONE;
            case STATUS -> OrderMetrics.Kind.STATUS;
            case HEARTBEAT -> OrderMetrics.Kind.HEARTBEAT;
        };
    }

    /** The bare heartbeat {@code record} as one confirming {@code status}, at its own time, with its headers. */
    private Record<byte[], byte[]> withStatus(Record<byte[], byte[]> record, PresenceChange heartbeat, String status) {
        byte[] value;
        try {
            value = output.encode(new PresenceEvent(PresenceEvent.Kind.HEARTBEAT, heartbeat.userId(), status,
                    heartbeat.ts(), heartbeat.source(), null));
        } catch (MalformedEventException e) {
            // the status was accepted before, the rest comes from a decoded event: a refusal is a bug
            throw new IllegalStateException("the order stage built an invalid heartbeat for user "
                    + heartbeat.userId(), e);
        }
        return new Record<>(record.key(), value, heartbeat.ts(), record.headers());
    }

    /** The record as the consumer would poll it, so it is decoded by the consumer's own code. */
    private ConsumerRecord<byte[], byte[]> consumerRecord(Record<byte[], byte[]> record) {
        Optional<RecordMetadata> origin = context.recordMetadata();
        return new ConsumerRecord<>(origin.map(RecordMetadata::topic).orElse(""),
                origin.map(RecordMetadata::partition).orElse(-1), origin.map(RecordMetadata::offset).orElse(-1L),
                record.timestamp(), TimestampType.CREATE_TIME, -1, -1, record.key(), record.value(), record.headers(),
                Optional.empty());
    }

    private void deadLetter(Record<byte[], byte[]> record, MalformedEventException e) {
        metrics.rejected(e.rejection());
        PresenceStage.deadLetter(context, record, e);
    }
}
