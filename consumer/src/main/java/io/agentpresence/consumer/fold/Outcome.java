package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.ops.FoldMetrics;
import io.agentpresence.model.PresenceEvent;

/**
 * What one device event or one sweep did to a user: the user-level event to write to the presence topic (or
 * null), why it is written, why the input was ignored (or null), and how many live devices expired.
 */
record Outcome(PresenceEvent emit, FoldMetrics.Emitted reason, FoldMetrics.Ignored ignored, int expired) {

    static final Outcome NOTHING = new Outcome(null, null, null, 0);

    static Outcome emit(PresenceEvent event, FoldMetrics.Emitted reason, int expired) {
        return new Outcome(event, reason, null, expired);
    }

    static Outcome ignored(FoldMetrics.Ignored reason) {
        return new Outcome(null, null, reason, 0);
    }

    static Outcome expiredSilently(int expired) {
        return new Outcome(null, null, null, expired);
    }
}
