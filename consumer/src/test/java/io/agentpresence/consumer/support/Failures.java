package io.agentpresence.consumer.support;

/** Reads a service's failure the way an operator reads the log: every message along the cause chain. */
public final class Failures {

    private Failures() {
    }

    /** The messages along the cause chain: Kafka wraps what a rebalance callback throws in its own exception. */
    public static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
