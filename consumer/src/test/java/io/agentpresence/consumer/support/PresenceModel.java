package io.agentpresence.consumer.support;

import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.model.PresenceEvent;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code agent_presences} must hold after a stream, computed from the events as they are published
 * (in send order, from one producer): per user the newest event by {@code ts}, on a tie the later one; a
 * tombstone removes the user. Tombstones count as newer than every event before them, which holds while the
 * test's events use small {@code ts} values: a tombstone takes its record's wall-clock timestamp.
 */
public final class PresenceModel {

    private final Map<String, Optional<PresenceEvent>> latest = new TreeMap<>();
    private long records;

    public synchronized void published(PresenceEvent event) {
        records++;
        latest.merge(event.userId(), Optional.of(event), (old, neu) -> old.isEmpty()
                || neu.get().ts() >= old.get().ts() ? neu : old);
    }

    public synchronized void deleted(String userId) {
        records++;
        latest.put(userId, Optional.empty());
    }

    /** Records published so far, tombstones included: where the stored positions end up in total. */
    public synchronized long records() {
        return records;
    }

    public synchronized Map<String, Row> rows() {
        Map<String, Row> rows = new TreeMap<>();
        latest.values().forEach(e -> e.ifPresent(ev -> rows.put(ev.userId(),
                new Row(ev.userId(), ev.status(), ev.ts(), ev.source()))));
        return rows;
    }
}
