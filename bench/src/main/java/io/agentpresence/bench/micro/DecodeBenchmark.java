package io.agentpresence.bench.micro;

import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
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

/** Decode and validate one typical event: the per-record cost of the consumer's hot path. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecodeBenchmark {

    private final PresenceEventCodec codec = new PresenceEventCodec();
    private byte[] key;
    private byte[] value;
    private long recordTs;

    @Setup
    public void setUp() throws MalformedEventException {
        recordTs = System.currentTimeMillis();
        PresenceEvent event = new PresenceEvent("agent-12345", "online", recordTs - 10, "openclaw-plugin");
        key = PresenceEventCodec.key(event.userId());
        value = codec.encode(event);
    }

    @Benchmark
    public PresenceEvent decode() throws MalformedEventException {
        return codec.decode(key, value, recordTs);
    }
}
