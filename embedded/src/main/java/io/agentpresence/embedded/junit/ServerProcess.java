package io.agentpresence.embedded.junit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server run as a child process, for tests that kill it: started with its output in a log and awaited until it
 * serves, killed with SIGKILL, stopped with SIGTERM. {@link KafkaBrokerProcess} and {@link MariaDbProcess} say
 * how to start their server and how to tell that it serves.
 */
final class ServerProcess implements AutoCloseable {

    private static final Duration STOPPED = Duration.ofSeconds(30);

    /** Whether the server serves yet; may read its log. */
    interface Readiness {
        boolean serves() throws IOException;
    }

    private final String name;
    private Process process;

    ServerProcess(String name) {
        this.name = name;
    }

    /** Starts {@code command} with its output in {@code log}; returns once it serves, or fails with the log's end. */
    void start(List<String> command, Path log, Duration within, Readiness readiness)
            throws IOException, InterruptedException {
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + within.toNanos();
        while (!readiness.serves()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " did not start (" + (process.isAlive() ? "still starting"
                        : "exit " + process.exitValue()) + "); its log " + log + " ends:\n" + tail(log));
            }
            Thread.sleep(100);
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed; the data is left as a crash leaves it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(STOPPED.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL");
        }
    }

    /** SIGTERM, then SIGKILL if it hangs. */
    @Override
    public void close() throws InterruptedException {
        if (!isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOPPED.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(STOPPED.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
