package io.agentpresence.consumer.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.recovery.Comparison.Kind;
import io.agentpresence.consumer.recovery.Comparison.Outcome;
import io.agentpresence.consumer.recovery.Comparison.Scope;
import io.agentpresence.consumer.rule.ExpectedTable.Row;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What {@code verify} calls a mismatch, for each scope of the records read. */
class ComparisonTest {

    private static Row row(String user, String status, long ts, long lastSeen, String source) {
        return new Row(user, status, ts, lastSeen, source);
    }

    private static Map<String, Row> rows(Row... rows) {
        return Arrays.stream(rows).collect(Collectors.toMap(Row::userId, r -> r));
    }

    private static List<String> lines(Outcome outcome) {
        return outcome.mismatches().stream().map(Comparison.Mismatch::line).toList();
    }

    @Test
    void aFullReadNamesMissingUnexpectedAndDifferingRowsInUserOrder() {
        Map<String, Row> expected = rows(row("b", "online", 5, 5, "s"), row("c", "away", 7, 9, null),
                row("d", "busy", 1, 1, "s"));
        Map<String, Row> found = rows(row("a", "online", 1, 1, "x"), row("c", "away", 7, 9, "t"),
                row("d", "busy", 1, 2, "s"));

        Outcome outcome = new Comparison(Scope.FULL, true).compare(expected, Map.of(), Set.of("b", "c", "d"), found);

        assertThat(lines(outcome)).containsExactly(
                "a: unexpected row; expected no row; found status=online event_ts=1 source=x last_seen=1",
                "b: missing row; expected status=online event_ts=5 source=s last_seen=5; found no row",
                "c: source; expected status=away event_ts=7 source=(none) last_seen=9;"
                        + " found status=away event_ts=7 source=t last_seen=9",
                "d: last_seen; expected status=busy event_ts=1 source=s last_seen=1;"
                        + " found status=busy event_ts=1 source=s last_seen=2");
        assertThat(outcome.byKind()).containsExactly(Map.entry(Kind.MISSING_ROW, 1), Map.entry(Kind.UNEXPECTED_ROW, 1),
                Map.entry(Kind.SOURCE, 1), Map.entry(Kind.LAST_SEEN, 1));
        assertThat(outcome.users()).isEqualTo(3);
        assertThat(outcome.rowsCompared()).isEqualTo(3);
        assertThat(outcome.agrees()).isFalse();
    }

    @Test
    void lastSeenCanBeLeftOut() {
        Map<String, Row> expected = rows(row("d", "busy", 1, 1, "s"));
        Map<String, Row> found = rows(row("d", "busy", 1, 20, "s"));

        assertThat(new Comparison(Scope.FULL, false).compare(expected, Map.of(), Set.of("d"), found).agrees()).isTrue();
        assertThat(new Comparison(Scope.FULL, true).compare(expected, Map.of(), Set.of("d"), found).agrees()).isFalse();
    }

    @Test
    void aUserOnlyABareHeartbeatNamedMustHaveNoRowWhenAllItsRecordsWereRead() {
        Map<String, Row> found = rows(row("h", "online", 1, 1, null), row("other", "online", 1, 1, null));

        Outcome exact = new Comparison(Scope.USERS_EXACT, true).compare(Map.of(), Map.of(), Set.of("h"), found);
        Outcome atLeast = new Comparison(Scope.USERS_AT_LEAST, true).compare(Map.of(), Map.of(), Set.of("h"), found);

        assertThat(lines(exact)).containsExactly(
                "h: unexpected row; expected no row; found status=online event_ts=1 source=(none) last_seen=1");
        assertThat(exact.rowsCompared()).isEqualTo(1);
        // before the range, a statement may have created the row the heartbeat found
        assertThat(atLeast.agrees()).isTrue();
    }

    @Test
    void aRangeAcceptsARowThatWinsOverItsRecordsAndNamesOneThatLoses() {
        Map<String, Row> expected = rows(row("u", "busy", 10, 10, "r"), row("v", "busy", 10, 12, "r"),
                row("w", "busy", 10, 10, "r"), row("x", "away", 10, 10, "r"));
        Map<String, Row> found = rows(
                // an older record with a later ts decided the row: possible
                row("u", "online", 50, 50, "older"),
                // equal ts, offline wins the tie: possible
                row("v", "offline", 10, 12, "r"),
                row("w", "busy", 9, 10, "r"),
                row("x", "away", 10, 9, "r"));

        Outcome outcome = new Comparison(Scope.USERS_AT_LEAST, true).compare(expected, Map.of(),
                Set.of("u", "v", "w", "x"), found);

        assertThat(lines(outcome)).containsExactly(
                "w: event_ts; expected at least status=busy event_ts=10 source=r last_seen=10;"
                        + " found status=busy event_ts=9 source=r last_seen=10",
                "x: last_seen; expected at least status=away event_ts=10 source=r last_seen=10;"
                        + " found status=away event_ts=10 source=r last_seen=9");
    }

    @Test
    void aRangeNamesARowThatADeletionReadShouldHaveRemoved() {
        Map<String, Row> found = rows(row("gone", "online", 100, 100, null), row("back", "online", 300, 300, null));
        Map<String, Long> deletions = Map.of("gone", 200L, "back", 200L, "absent", 200L);

        Outcome outcome = new Comparison(Scope.USERS_AT_LEAST, true).compare(Map.of(), deletions,
                Set.of("gone", "back", "absent"), found);

        // a statement before the range with a later ts may follow a deletion: "back" is possible
        assertThat(lines(outcome)).containsExactly("gone: unexpected row; expected no row (deleted at 200);"
                + " found status=online event_ts=100 source=(none) last_seen=100");
        assertThat(new Comparison(Scope.USERS_AT_LEAST, true).compare(Map.of("m", row("m", "away", 1, 1, null)),
                Map.of(), Set.of("m"), Map.of()).byKind()).containsExactly(Map.entry(Kind.MISSING_ROW, 1));
    }

    @Test
    void aRangeLooksOnlyAtTheUsersItNames() {
        Map<String, Row> found = rows(row("elsewhere", "online", 1, 1, null));

        for (Scope scope : List.of(Scope.USERS_EXACT, Scope.USERS_AT_LEAST)) {
            Outcome outcome = new Comparison(scope, true).compare(Map.of(), Map.of(), Set.of(), found);

            assertThat(outcome.agrees()).as(scope.name()).isTrue();
            assertThat(outcome.rowsCompared()).as(scope.name()).isZero();
        }
    }
}
