package io.agentpresence.cli;

import picocli.CommandLine.Option;

/** {@code --ts} and {@code --source}: when an event happened and who says so, shared by {@code set} and {@code heartbeat}. */
public final class EventStamp {

    static final String DEFAULT_SOURCE = "presence-cli";

    @Option(names = "--ts", paramLabel = "MILLIS", description = "Event time in epoch milliseconds. Default: now.")
    Long ts;

    @Option(names = "--source", defaultValue = DEFAULT_SOURCE,
            description = "Who publishes the event. Default: ${DEFAULT-VALUE}")
    String source;

    /** The given event time, or {@code now} when none was given. */
    long ts(long now) {
        return ts != null ? ts : now;
    }

    String source() {
        return source;
    }
}
