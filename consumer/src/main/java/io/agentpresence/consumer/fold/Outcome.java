package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.ops.FoldMetrics;
import io.agentpresence.model.PresenceEvent;

/**
 * What one device event or one sweep did to a user: the user-level event to write to the presence topic (or
 * null), why it is written, why the input was ignored (or null), how many live devices expired, and how many
 * devices were evicted to make room for a new one.
 */
record Outcome(PresenceEvent emit, FoldMetrics.Emitted reason, FoldMetrics.Ignored ignored, int expired, int evicted) {

    static final Outcome NOTHING = new Outcome(null, null, null, 0, 0);

    static Outcome emit(PresenceEvent event, FoldMetrics.Emitted reason, int expired) {
        return new Outcome(event, reason, null, expired, 0);
    }

    static Outcome ignored(FoldMetrics.Ignored reason) {
        return new Outcome(null, null, reason, 0, 0);
    }

    static Outcome expiredSilently(int expired) {
        return new Outcome(null, null, null, expired, 0);
    }

    Outcome withEvicted(int evicted) {
        return new Outcome(emit, reason, ignored, expired, evicted);
    }
}
