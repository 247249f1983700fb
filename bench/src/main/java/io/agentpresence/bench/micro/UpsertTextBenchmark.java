package io.agentpresence.bench.micro;

import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceUpsert;
import io.agentpresence.consumer.sink.SqlDialect;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The text of one multi-row upsert of 500 rows, values written in: the writer's share of a statement's cost. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UpsertTextBenchmark {

    private final PresenceUpsert upsert = new PresenceUpsert(SqlDialect.VALUES_FUNCTION);
    private final List<PresenceChange> rows = new ArrayList<>();

    @Setup
    public void setUp() {
        for (int i = 0; i < 500; i++) {
            rows.add(new PresenceChange("agent-" + (i * 197), "online", 1_764_000_000_000L + i, "bench", i));
        }
    }

    @Benchmark
    public String text() {
        return upsert.upsert(rows);
    }
}
