package io.agentpresence.consumer.support;

import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.model.PresenceEvent;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code agent_presences} must hold after a stream, computed from the events as they are published, by the
 * rule's own model ({@link ExpectedTable}). A tombstone counts as newer than every event of the test: it takes its
 * record's wall-clock timestamp, and the tests' events use small {@code ts} values.
 */
public final class PresenceModel {

    private final ExpectedTable table = new ExpectedTable();
    private long records;

    public synchronized void published(PresenceEvent event) {
        table.apply(PresenceChange.of(event, records++));
    }

    public synchronized void deleted(String userId) {
        table.apply(PresenceChange.delete(userId, Long.MAX_VALUE, records++));
    }

    /** Records published so far, tombstones included: where the stored positions end up in total. */
    public synchronized long records() {
        return records;
    }

    public synchronized Map<String, Row> rows() {
        Map<String, Row> rows = new TreeMap<>();
        table.rows().values().forEach(r -> rows.put(r.userId(), new Row(r.userId(), r.status(), r.eventTs(),
                r.source())));
        return rows;
    }
}
