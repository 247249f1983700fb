package io.agentpresence.bench.micro;

import io.agentpresence.consumer.sink.PresenceBuffer;
import io.agentpresence.consumer.sink.PresenceChange;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Reduce one batch to the newest change per user and sort it: the per-batch cost before the database. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoalesceBenchmark {

    @Param({"5000"})
    int batch;

    @Param({"1000", "100000"})
    int users;

    private PresenceChange[] changes;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        changes = new PresenceChange[batch];
        for (int i = 0; i < batch; i++) {
            changes[i] = new PresenceChange("agent-" + random.nextInt(users), "online", 1_000 + i, "bench", i);
        }
    }

    @Benchmark
    public List<PresenceChange> coalesce() {
        PresenceBuffer buffer = new PresenceBuffer();
        for (PresenceChange change : changes) {
            buffer.add(change);
        }
        return buffer.changes();
    }
}
