package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.rule.ExpectedTable.Row;
import io.agentpresence.consumer.sink.StatementOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the rows found in the table with the rows the rule expects, user by user: what {@code verify}
 * reports. Knows nothing of Kafka or the database.
 */
final class Comparison {

    /** How much the records read can tell about a user's row. */
    enum Scope {
        /** The whole topic was read: every row must be the expected one, and a row no record explains is wrong. */
        FULL,
        /** Every record of the compared users was read (whole partitions): their rows must be the expected ones. */
        USERS_EXACT,
        /**
         * Only the users' newer records were read: a row must be at least what they demand (an older record may
         * still win), and must be gone when a deletion read is newer than it.
         */
        USERS_AT_LEAST
    }

    /** One way a row can be wrong; a row that differs in several fields counts under each. */
    enum Kind {
        MISSING_ROW("missing row"),
        UNEXPECTED_ROW("unexpected row"),
        STATUS("status"),
        EVENT_TS("event_ts"),
        SOURCE("source"),
        LAST_SEEN("last_seen");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** A user whose row is wrong, with what was expected and what was found, as one line. */
    record Mismatch(String userId, Set<Kind> kinds, String expected, String found) {
        String line() {
            List<String> labels = kinds.stream().map(k -> k.label).toList();
            return userId + ": " + String.join(", ", labels) + "; expected " + expected + "; found " + found;
        }
    }

    /** What a comparison found: the mismatches by userId, and how many users and rows it looked at. */
    record Outcome(List<Mismatch> mismatches, int users, int rowsCompared) {
        boolean agrees() {
            return mismatches.isEmpty();
        }

        /** How many mismatches of each kind, in the order of {@link Kind}, kinds without any left out. */
        Map<Kind, Integer> byKind() {
            Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
            mismatches.forEach(m -> m.kinds().forEach(k -> counts.merge(k, 1, Integer::sum)));
            return counts;
        }
    }

    private final Scope scope;
    private final boolean lastSeen;

    /** @param lastSeen whether {@code last_seen} is compared too */
    Comparison(Scope scope, boolean lastSeen) {
        this.scope = scope;
        this.lastSeen = lastSeen;
    }

    /**
     * @param expected  the rows the records read give
     * @param deletions the newest deletion read, per user
     * @param mentioned the users the records read name (valid records only)
     * @param found     the table's rows; for a range, those of other users are ignored
     */
    Outcome compare(Map<String, Row> expected, Map<String, Long> deletions, Collection<String> mentioned,
                    Map<String, Row> found) {
        Set<String> users = new TreeSet<>(mentioned);
        if (scope == Scope.FULL) {
            users.addAll(found.keySet());
        }
        List<Mismatch> mismatches = new ArrayList<>();
        int rows = 0;
        for (String user : users) {
            Row want = expected.get(user);
            Row got = found.get(user);
            if (got != null) {
                rows++;
            }
            Mismatch m = scope == Scope.USERS_AT_LEAST ? atLeast(user, want, deletions.get(user), got)
                    : exactly(user, want, got);
            if (m != null) {
                mismatches.add(m);
            }
        }
        return new Outcome(List.copyOf(mismatches), mentioned.size(), rows);
    }

    private Mismatch exactly(String user, Row want, Row got) {
        if (want == null && got == null) {
            return null;
        }
        if (want == null) {
            return new Mismatch(user, EnumSet.of(Kind.UNEXPECTED_ROW), "no row", describe(got));
        }
        if (got == null) {
            return new Mismatch(user, EnumSet.of(Kind.MISSING_ROW), describe(want), "no row");
        }
        Set<Kind> kinds = differences(want, got);
        if (lastSeen && want.lastSeen() != got.lastSeen()) {
            kinds.add(Kind.LAST_SEEN);
        }
        return kinds.isEmpty() ? null : new Mismatch(user, kinds, describe(want), describe(got));
    }

    /**
     * A row demanded by the records read must be there and win over (or equal) the statement they give; a
     * deletion read that wins over the row found means the row should be gone.
     */
    private Mismatch atLeast(String user, Row want, Long deleted, Row got) {
        if (want != null) {
            if (got == null) {
                return new Mismatch(user, EnumSet.of(Kind.MISSING_ROW), "at least " + describe(want), "no row");
            }
            Set<Kind> kinds = StatementOrder.compare(got.eventTs(), got.status(), got.source(), want.eventTs(),
                    want.status(), want.source()) < 0 ? differences(want, got) : EnumSet.noneOf(Kind.class);
            // last_seen only ever rises
            if (lastSeen && got.lastSeen() < want.lastSeen()) {
                kinds.add(Kind.LAST_SEEN);
            }
            return kinds.isEmpty() ? null
                    : new Mismatch(user, kinds, "at least " + describe(want), describe(got));
        }
        if (deleted != null && got != null && StatementOrder.deletionWins(deleted, got.eventTs())) {
            return new Mismatch(user, EnumSet.of(Kind.UNEXPECTED_ROW), "no row (deleted at " + deleted + ")",
                    describe(got));
        }
        return null;
    }

    private static Set<Kind> differences(Row want, Row got) {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        if (!want.status().equals(got.status())) {
            kinds.add(Kind.STATUS);
        }
        if (want.eventTs() != got.eventTs()) {
            kinds.add(Kind.EVENT_TS);
        }
        if (!Objects.equals(want.source(), got.source())) {
            kinds.add(Kind.SOURCE);
        }
        return kinds;
    }

    static String describe(Row row) {
        return "status=" + row.status() + " event_ts=" + row.eventTs() + " source="
                + (row.source() == null ? "(none)" : row.source()) + " last_seen=" + row.lastSeen();
    }
}
