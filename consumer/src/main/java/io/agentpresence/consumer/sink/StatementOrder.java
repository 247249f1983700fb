package io.agentpresence.consumer.sink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Which of two events of one user wins: the rule every path (live with any batch split, several instances,
 * replay, rebuild, a new group, {@code verify}) obeys, so the table is a function of the events and not of the
 * order they arrive in. It looks only at what is in the events, never at offsets or arrival.
 *
 * <ul>
 *   <li>A <em>statement</em> is a status event or a heartbeat that carries a status. Statements are ordered by
 *       {@code ts}; on equal {@code ts}, {@code offline} wins, then the greater status, then the greater source,
 *       both compared as UTF-8 bytes (no source counts as the empty one). Two statements that tie on all of that
 *       change the row in the same way.</li>
 *   <li>A <em>deletion</em> (tombstone) at time {@code D} wins over every statement with {@code ts <= D}.</li>
 *   <li>A bare heartbeat is no statement: it never decides the status, it only raises {@code last_seen}.</li>
 * </ul>
 *
 * The SQL guard in {@code PresenceUpsert} compares the same tuple.
 */
public final class StatementOrder {

    /** The status that wins a tie of {@code ts}: going offline at the same moment as anything else. */
    public static final String OFFLINE = "offline";

    private StatementOrder() {
    }

    /**
     * Compares two statements: positive when {@code (ts, status, source)} wins over {@code (otherTs, otherStatus,
     * otherSource)}, zero when they change a row in the same way.
     */
    public static int compare(long ts, String status, String source, long otherTs, String otherStatus,
                              String otherSource) {
        int byTs = Long.compare(ts, otherTs);
        if (byTs != 0) {
            return byTs;
        }
        int byOffline = Boolean.compare(OFFLINE.equals(status), OFFLINE.equals(otherStatus));
        if (byOffline != 0) {
            return byOffline;
        }
        int byStatus = compareBytes(status, otherStatus);
        return byStatus != 0 ? byStatus : compareBytes(source, otherSource);
    }

    /** True when a deletion at {@code deletedTs} wins over a statement at {@code ts}. */
    public static boolean deletionWins(long deletedTs, long ts) {
        return ts <= deletedTs;
    }

    /** Unsigned byte order of the UTF-8 forms, as the database's binary comparison; null is the empty string. */
    static int compareBytes(String a, String b) {
        byte[] x = a == null ? new byte[0] : a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b == null ? new byte[0] : b.getBytes(StandardCharsets.UTF_8);
        return Arrays.compareUnsigned(x, y);
    }
}
