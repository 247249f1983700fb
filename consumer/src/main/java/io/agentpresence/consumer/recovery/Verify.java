package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.recovery.Comparison.Mismatch;
import io.agentpresence.consumer.recovery.Comparison.Outcome;
import io.agentpresence.consumer.recovery.Comparison.Scope;
import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.rule.ExpectedTable.Row;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceUpsert;
import io.agentpresence.consumer.sink.StoredPosition;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads the topic as the running consumer reads it, builds the table the rule gives ({@link ExpectedTable}) and
 * compares the live table with it, user by user. Reads up to the end offsets seen at the start, and further on a
 * partition whose position the consumer has stored beyond them by the time the table is read, so the rows are
 * compared with every record they can reflect. Changes nothing; no consumer group is joined.
 */
public final class Verify {

    /**
     * Which records to read: all, or those stamped at or after {@code since} (null: from the log start), of the
     * given partitions (empty: all).
     */
    public record Range(Instant since, Set<Integer> partitions) {
        public static final Range ALL = new Range(null, Set.of());

        public Range {
            partitions = Set.copyOf(partitions);
        }

        boolean full() {
            return since == null && partitions.isEmpty();
        }

        Scope scope() {
            return full() ? Scope.FULL : since == null ? Scope.USERS_EXACT : Scope.USERS_AT_LEAST;
        }
    }

    /** What a verification found; the table agrees when there is no mismatch. */
    public record Result(long records, long rejected, Outcome outcome, long notApplied) {
        /** {@link #notApplied} when the group has stored no position for the topic. */
        public static final long NO_POSITIONS = -1;

        public boolean agrees() {
            return outcome.agrees();
        }

        public int mismatches() {
            return outcome.mismatches().size();
        }
    }

    private final PresenceConsumerConfig config;
    private final DataSource dataSource;
    private final FailureClassifier classifier;
    private final PrintWriter report;
    private final PrintWriter progressOut;

    /**
     * @param report      where the mismatches and the summary go
     * @param progressOut where the progress lines go
     */
    public Verify(PresenceConsumerConfig config, DataSource dataSource, FailureClassifier classifier,
                  PrintWriter report, PrintWriter progressOut) {
        this.config = config;
        this.dataSource = dataSource;
        this.classifier = classifier;
        this.report = report;
        this.progressOut = progressOut;
    }

    /**
     * @param lastSeen whether {@code last_seen} is compared
     * @param limit    the most mismatch lines to print
     */
    public Result run(Range range, boolean lastSeen, int limit) throws Exception {
        Result result;
        try (TopicReader reader = new TopicReader(config, "verify", classifier)) {
            result = verify(reader, range, new Comparison(range.scope(), lastSeen));
        } catch (TimeoutException e) {
            throw new IllegalStateException("the Kafka brokers at " + config.bootstrapServers() + " did not answer: "
                    + e.getMessage(), e);
        }
        print(result, range, lastSeen, limit);
        return result;
    }

    /** The table the records read give, and the users they name. */
    private static final class Model implements TopicReader.PollHandler {
        final ExpectedTable expected = new ExpectedTable();
        final Set<String> mentioned = new HashSet<>();
        final Progress progress;

        Model(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void accept(List<PresenceChange> changes, long records) {
            for (PresenceChange change : changes) {
                expected.apply(change);
                mentioned.add(change.userId());
            }
            progress.advance(records);
        }
    }

    private Result verify(TopicReader reader, Range range, Comparison comparison) throws Exception {
        List<TopicPartition> read = selected(reader.partitions(), range.partitions());
        Map<TopicPartition, Long> end = reader.endOffsets();
        Map<TopicPartition, Long> start = new HashMap<>(reader.offsetsAt(range.since()));
        // the partitions left out start where they end, so nothing of them is read
        reader.partitions().stream().filter(tp -> !read.contains(tp)).forEach(tp -> start.put(tp, end.get(tp)));
        reader.seek(start);
        long total = reader.remaining(end);
        progressOut.println("verify: " + config.topic() + " " + describe(range, read) + ", "
                + String.format(Locale.ROOT, "%,d", total) + " records to the end offsets seen now");
        progressOut.flush();
        Model model = new Model(new Progress(progressOut, "verify", total));
        reader.readUntil(end, Deadline.NONE, model);

        Snapshot table = snapshot();
        // positions of an earlier incarnation say nothing of this log: the rows came from other records
        reader.checkIncarnation(table.positions().values());
        Map<TopicPartition, Long> applied = new HashMap<>();
        read.forEach(tp -> applied.put(tp, table.position(tp)));
        Map<TopicPartition, Long> beyond = applied.entrySet().stream().filter(e -> e.getValue() > end.get(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        if (!beyond.isEmpty()) {
            // the consumer has applied records that arrived since the start: the rows show them, so read them too
            reader.checkReachable(beyond, reader.endOffsets());
            model.progress.total(model.progress.done() + reader.remaining(beyond));
            reader.readUntil(beyond, Deadline.NONE, model);
        }
        long notApplied = table.positions().isEmpty() ? Result.NO_POSITIONS : read.stream()
                .mapToLong(tp -> Math.max(0, end.get(tp) - Math.max(applied.get(tp), start.get(tp)))).sum();
        Outcome outcome = comparison.compare(model.expected.rows(), model.expected.deletions(), model.mentioned,
                table.rows());
        model.progress.finish(String.format(Locale.ROOT, "%,d rejected", reader.invalidRecords()));
        return new Result(model.progress.done(), reader.invalidRecords(), outcome, notApplied);
    }

    private static List<TopicPartition> selected(List<TopicPartition> all, Set<Integer> wanted) {
        if (wanted.isEmpty()) {
            return all;
        }
        Set<Integer> known = all.stream().map(TopicPartition::partition).collect(Collectors.toSet());
        Set<Integer> unknown = new TreeSet<>(wanted);
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigException("--partition: topic " + all.get(0).topic() + " has partitions 0 to "
                    + (all.size() - 1) + ", not " + unknown);
        }
        return all.stream().filter(tp -> wanted.contains(tp.partition())).toList();
    }

    private static String describe(Range range, List<TopicPartition> read) {
        String partitions = range.partitions().isEmpty() ? "all " + read.size() + " partitions"
                : "partitions " + new TreeSet<>(range.partitions());
        return partitions + " from " + (range.since() == null ? "the log start" : range.since());
    }

    /** The group's stored positions and the table's rows, read in one consistent snapshot. */
    private record Snapshot(Map<Integer, StoredPosition> positions, Map<String, Row> rows) {
        /** Where the consumer will read {@code tp} next: the records before it are in the rows. */
        long position(TopicPartition tp) {
            StoredPosition p = positions.get(tp.partition());
            return p == null ? 0 : p.next();
        }
    }

    private Snapshot snapshot() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            // repeatable read: both reads see one moment, and a writer stores its positions with its rows
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Map<Integer, StoredPosition> positions = new OffsetStore(config.groupId()).read(c, config.topic());
            Map<String, Row> rows = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id, status, event_ts, last_seen, source FROM "
                    + PresenceUpsert.TABLE); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long eventTs = rs.getLong(3);
                    long lastSeen = rs.getLong(4);
                    // a row written before last_seen existed reads it as its event time
                    rows.put(rs.getString(1), new Row(rs.getString(1), rs.getString(2), eventTs,
                            rs.wasNull() ? eventTs : lastSeen, rs.getString(5)));
                }
            }
            c.commit();
            return new Snapshot(positions, rows);
        }
    }

    private void print(Result result, Range range, boolean lastSeen, int limit) {
        List<Mismatch> mismatches = result.outcome().mismatches();
        mismatches.stream().limit(limit).forEach(m -> report.println(m.line()));
        if (mismatches.size() > limit) {
            report.println(String.format(Locale.ROOT, "... and %,d more (--limit)", mismatches.size() - limit));
        }
        report.println(summary(result, range, lastSeen));
        report.flush();
    }

    static String summary(Result result, Range range, boolean lastSeen) {
        Outcome outcome = result.outcome();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "verify: read %,d records of %s, %,d rejected (the consumer dead-letters them); %,d users, %,d rows"
                        + " compared", result.records(), range.full() ? "the whole topic" : "the range",
                result.rejected(), outcome.users(), outcome.rowsCompared()));
        if (!lastSeen) {
            s.append(" (last_seen left out)");
        }
        s.append(switch (range.scope()) {
            case FULL -> "";
            case USERS_EXACT -> "; a range: only the users it mentions were compared, each with all of its"
                    + " records (a user's records share a partition), rows of other users were not looked at";
            case USERS_AT_LEAST -> "; a range: only the users it mentions were compared, and only for what their"
                    + " records in the range demand (an older record may still decide a row), rows of other users"
                    + " were not looked at";
        });
        if (outcome.agrees()) {
            s.append("; no mismatches: the table agrees with the topic.");
        } else {
            String kinds = outcome.byKind().entrySet().stream()
                    .map(e -> e.getKey().label + " " + e.getValue()).collect(Collectors.joining(", "));
            s.append(String.format(Locale.ROOT, "; mismatches: %,d (%s): the table does NOT agree with the topic.",
                    outcome.mismatches().size(), kinds));
        }
        if (result.notApplied() == Result.NO_POSITIONS) {
            s.append(" No positions are stored for this group and topic, so whether the consumer has applied"
                    + " everything read is unknown.");
        } else if (result.notApplied() > 0) {
            s.append(String.format(Locale.ROOT, " The consumer has not applied %,d records yet; run again once it"
                    + " has caught up.", result.notApplied()));
        }
        return s.toString();
    }
}
