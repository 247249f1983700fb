package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.ops.FoldMetrics;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.time.Duration;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's fold: decodes device records as the consumer does, applies them to the user's stored state with
 * {@link DeviceFold}, and forwards user-level events to the presence topic; a wall-clock punctuation expires
 * devices, and forgets users left without devices, through the {@link ExpiryIndex}. Invalid records go to the
 * dead-letter topic, inside the same transaction as everything else.
 */
final class FoldProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    /** Bounds the work of one sweep, and so one transaction, after an outage left many users due at once. */
    static final int MAX_USERS_PER_SWEEP = 10_000;

    private final DeviceFold fold;
    private final PresenceEventCodec codec;
    private final PresenceEventCodec output;
    private final Duration sweepInterval;
    private final long ttlMs;
    private final FoldMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, UserPresence> users;
    private ExpiryIndex index;
    private long startedAt;

    FoldProcessor(FoldSettings settings, FoldMetrics metrics) {
        this.fold = new DeviceFold(settings.precedence(), settings.ttl(), settings.forwardHeartbeats(),
                settings.userRetention(), settings.maxDevices());
        this.codec = settings.codec();
        // emitted events carry validated input; their ts is checked against their record timestamp, which is that
        // ts, so the fold's own clock must not refuse a publisher's clock the consumer accepts
        this.output = new PresenceEventCodec(codec.statuses(), Duration.ofMillis(Long.MAX_VALUE),
                PresenceEventCodec.DEFAULT_MAX_VALUE_BYTES);
        this.sweepInterval = settings.sweepInterval();
        this.ttlMs = settings.ttl().toMillis();
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.users = context.getStateStore(FoldTopology.USERS);
        KeyValueStore<Bytes, byte[]> expiry = context.getStateStore(FoldTopology.EXPIRY);
        this.index = new ExpiryIndex(expiry);
        // runs after the stores are restored, so every device gets a full TTL to be heard from again
        this.startedAt = context.currentSystemTimeMs();
        context.schedule(sweepInterval, PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            tombstone(record);
            return;
        }
        PresenceEvent event;
        try {
            event = codec.decode(record.key(), record.value(), record.timestamp());
            // the record timestamp comes from the same clock as ts: bound ts by the fold's own clock too, or one
            // device far in the future would hold the user's time floor there
            codec.validate(event, context.currentSystemTimeMs());
        } catch (MalformedEventException e) {
            // content the contract refuses: it goes aside, the partition goes on
            deadLetter(record, e);
            return;
        }
        metrics.read(event.isHeartbeat() ? FoldMetrics.Read.HEARTBEAT : FoldMetrics.Read.STATUS);
        UserPresence user = user(event.userId());
        Outcome outcome = fold.apply(user, event, context.currentSystemTimeMs());
        store(event.userId(), user);
        settle(event.userId(), outcome);
    }

    /**
     * A tombstone forgets the user's devices and passes on, so the consumer deletes the row. Its time is its record
     * timestamp, bounded like an event's ts: it becomes the user's time floor, which every later emission carries.
     */
    private void tombstone(Record<byte[], byte[]> record) {
        String userId;
        try {
            userId = codec.decodeTombstoneKey(record.key());
            // the consumer's bounds: an encodable time, at most the skew ahead of this machine's clock
            codec.checkTs(record.timestamp(), context.currentSystemTimeMs());
        } catch (MalformedEventException e) {
            // no valid user to delete, or a time no event of the user could follow
            deadLetter(record, e);
            return;
        }
        metrics.read(FoldMetrics.Read.TOMBSTONE);
        // kept even for a user the fold does not know, so that a late event from before the deletion is ignored;
        // the time floor stays: the consumer deletes only rows no newer than the tombstone
        UserPresence user = user(userId);
        user.forget(record.timestamp());
        store(userId, user);
        context.forward(record, PresenceStage.PRESENCE_SINK);
        metrics.emitted(FoldMetrics.Emitted.TOMBSTONE);
    }

    /** The stored user, or a new one; either way heard from now. */
    private UserPresence user(String userId) {
        UserPresence user = users.get(userId);
        if (user == null) {
            user = new UserPresence();
        }
        user.heardAt(context.currentSystemTimeMs());
        return user;
    }

    /**
     * Expires the devices of the users that are due, and forgets those without devices whose retention ran out:
     * only those, found through the index, at most {@value #MAX_USERS_PER_SWEEP} per sweep so one transaction stays
     * small; the rest wait for the next sweep.
     */
    private void sweep(long now) {
        // counted even when nothing can be due, so that a sweep that stops running shows at once
        metrics.swept();
        if (now < startedAt + ttlMs) {
            // every device has a full TTL from the task's start: nothing can be due yet
            return;
        }
        for (ExpiryIndex.Entry due : index.due(now, MAX_USERS_PER_SWEEP)) {
            UserPresence user = users.get(due.userId());
            if (user == null || user.deadline() != due.deadline()) {
                // the user moved on without this entry; both change in one transaction, so this is only a safeguard
                index.remove(due.deadline(), due.userId());
                continue;
            }
            if (user.devices().isEmpty()) {
                forgetOrRefile(due, user, now);
                continue;
            }
            Outcome outcome = fold.expire(due.userId(), user, now, startedAt);
            store(due.userId(), user);
            settle(due.userId(), outcome);
        }
    }

    /**
     * Removes a user without devices from the store: nothing live, nothing pending, and no record for the retention.
     * A user filed before this task started gets the full retention from the start instead, like a device.
     */
    private void forgetOrRefile(ExpiryIndex.Entry due, UserPresence user, long now) {
        if (fold.deadline(user, startedAt) > now) {
            store(due.userId(), user);
            return;
        }
        index.remove(due.deadline(), due.userId());
        users.delete(due.userId());
        metrics.forgotten();
    }

    /** Stores the user and keeps the index entry in step with the user's new deadline. */
    private void store(String userId, UserPresence user) {
        long deadline = fold.deadline(user, startedAt);
        if (deadline != user.deadline()) {
            if (user.deadline() != UserPresence.NONE) {
                index.remove(user.deadline(), userId);
            }
            // every user has one: its first device's expiry, or, without devices, when it is forgotten
            index.add(deadline, userId);
            user.deadline(deadline);
        }
        users.put(userId, user);
    }

    private void settle(String userId, Outcome outcome) {
        if (outcome.expired() > 0) {
            metrics.expired(outcome.expired());
        }
        if (outcome.evicted() > 0) {
            metrics.evicted(outcome.evicted());
        }
        if (outcome.ignored() != null) {
            metrics.ignored(outcome.ignored());
        }
        if (outcome.emit() == null) {
            return;
        }
        byte[] value;
        try {
            value = output.encode(outcome.emit());
        } catch (MalformedEventException e) {
            // every field comes from a decoded event or from here; a refusal is a bug, not bad input
            throw new IllegalStateException("the fold built an invalid event for user " + userId, e);
        }
        context.forward(new Record<>(PresenceEventCodec.key(userId), value, outcome.emit().ts()),
                PresenceStage.PRESENCE_SINK);
        metrics.emitted(outcome.reason());
    }

    private void deadLetter(Record<byte[], byte[]> record, MalformedEventException e) {
        metrics.rejected(e.rejection());
        PresenceStage.deadLetter(context, record, e);
    }
}
