package io.agentpresence.consumer.order;

import io.agentpresence.consumer.ops.OrderMetrics;
import io.agentpresence.consumer.sink.StatementOrder;

/**
 * Which raw records the order stage passes on: only those that are a newer state under the rule
 * ({@link StatementOrder}) than everything it passed on for the user before. So the records of a user on the presence
 * topic are strictly increasing, and the last one by offset, the one compaction keeps, is the newest state. Plain
 * Java over {@link UserOrder}: the Streams adapter ({@link OrderProcessor}) stores and forwards what it says.
 */
final class OrderRule {

    /** What to do with one record: pass it on ({@code dropped} null) or drop it, and the user's state after it. */
    record Step(OrderMetrics.Dropped dropped, UserOrder next) {

        static Step forward(UserOrder next) {
            return new Step(null, next);
        }

        static Step drop(OrderMetrics.Dropped reason, UserOrder unchanged) {
            return new Step(reason, unchanged);
        }

        boolean forwards() {
            return dropped == null;
        }
    }

    private OrderRule() {
    }

    /** A status event, or a heartbeat with a status: passed on when it wins over the stored one and the deletion. */
    static Step statement(UserOrder user, long ts, String status, String source) {
        if (user.hasDeletion() && StatementOrder.deletionWins(user.deletedTs(), ts)) {
            return Step.drop(OrderMetrics.Dropped.DELETED, user);
        }
        UserOrder.Statement stored = user.statement();
        if (stored != null) {
            int order = StatementOrder.compare(ts, status, source, stored.ts(), stored.status(), stored.source());
            if (order == 0) {
                return Step.drop(OrderMetrics.Dropped.DUPLICATE, user);
            }
            if (order < 0) {
                return Step.drop(OrderMetrics.Dropped.STALE, user);
            }
        }
        return Step.forward(new UserOrder(new UserOrder.Statement(ts, status, source), user.deletedTs()));
    }

    /**
     * A deletion at {@code deletedTs}: always remembered, passed on only when it deletes the stored statement, or
     * when there is none and it is newer than the deletion before. One older than the stored statement is dropped:
     * after compaction it would be the user's last record and delete a newer state.
     */
    static Step deletion(UserOrder user, long deletedTs) {
        long newest = Math.max(deletedTs, user.deletedTs());
        UserOrder.Statement stored = user.statement();
        if (stored != null) {
            if (StatementOrder.deletionWins(deletedTs, stored.ts())) {
                return Step.forward(new UserOrder(null, newest));
            }
            return Step.drop(OrderMetrics.Dropped.STALE, new UserOrder(stored, newest));
        }
        if (!user.hasDeletion() || deletedTs > user.deletedTs()) {
            return Step.forward(new UserOrder(null, newest));
        }
        return Step.drop(OrderMetrics.Dropped.DELETED, user);
    }

    /**
     * A bare heartbeat at {@code ts} from {@code source}: passed on as a heartbeat carrying the stored status when
     * it is newer than the user's last record, so the presence topic never ends a user on a record without a
     * status. That record is a statement, and newer than the stored one, so it becomes the stored statement: a late
     * statement older than it would lose to it at the consumer, and so must not be passed on either.
     */
    static Step heartbeat(UserOrder user, long ts, String source) {
        UserOrder.Statement stored = user.statement();
        if (stored == null) {
            return Step.drop(OrderMetrics.Dropped.NO_STATUS, user);
        }
        if (ts <= stored.ts()) {
            return Step.drop(OrderMetrics.Dropped.STALE, user);
        }
        return Step.forward(new UserOrder(new UserOrder.Statement(ts, stored.status(), source), user.deletedTs()));
    }
}
