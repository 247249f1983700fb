package io.agentpresence.consumer.support;

import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.model.PresenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The events a test published, in send order from one producer, and the table they must leave: per user the
 * greatest {@code ts}, on a tie the later send (no tombstones).
 */
public final class EventLog {

    private final List<PresenceEvent> events = new ArrayList<>();

    public synchronized void sent(PresenceEvent event) {
        events.add(event);
    }

    public synchronized int size() {
        return events.size();
    }

    public synchronized Map<String, Row> expectedRows() {
        Map<String, PresenceEvent> newest = new TreeMap<>();
        for (PresenceEvent e : events) {
            newest.merge(e.userId(), e, (old, neu) -> neu.ts() >= old.ts() ? neu : old);
        }
        Map<String, Row> rows = new TreeMap<>();
        newest.forEach((user, e) -> rows.put(user, new Row(user, e.status(), e.ts(), e.source())));
        return rows;
    }
}
