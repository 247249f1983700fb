package io.agentpresence.embedded.junit;

import io.agentpresence.embedded.KafkaBrokerMain;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker in a JVM of its own ({@link KafkaBrokerMain} on this JVM's class path), for tests
 * that kill the broker: {@link #kill()} is SIGKILL, {@link #restart()} starts it again on the same ports and log
 * directories, so it recovers its logs the way a crashed broker does. The in-JVM broker of
 * {@link PresenceInfrastructure} cannot be killed like that.
 */
public final class KafkaBrokerProcess implements KafkaEndpoint, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
    private static final Duration STARTED = Duration.ofSeconds(90);
    private static final Duration STOPPED = Duration.ofSeconds(30);
    private static final String READY_LINE = "Kafka broker ready on ";

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private int starts;
    private Process process;

    private KafkaBrokerProcess(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Formats a broker in {@code dir} on two free ports and starts it; returns once it serves clients. */
    public static KafkaBrokerProcess start(Path dir) throws IOException, InterruptedException {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir.toAbsolutePath(), freePort(), freePort());
        broker.launch();
        return broker;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, the logs are left as a crash leaves them. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(STOPPED.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the broker (pid " + process.pid() + ") survived SIGKILL");
        }
        LOG.info("Kafka broker on port {} killed", port);
    }

    /** Starts the broker again on the same ports and data; returns once it serves clients. */
    public void restart() throws IOException, InterruptedException {
        if (isAlive()) {
            throw new IllegalStateException("the broker on port " + port + " is still running");
        }
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolve("broker-" + ++starts + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                KafkaBrokerMain.class.getName(), dir.resolve("data").toString(), String.valueOf(port),
                String.valueOf(controllerPort));
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        process = builder.start();
        long deadline = System.nanoTime() + STARTED.toNanos();
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(READY_LINE)) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IllegalStateException("the broker did not start (" + (process.isAlive() ? "still starting"
                        : "exit " + process.exitValue()) + "); its log " + log + " ends:\n" + tail(log));
            }
            Thread.sleep(100);
        }
        LOG.info("Kafka broker on port {} running (pid {}, start {})", port, process.pid(), starts);
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the broker (SIGTERM, then SIGKILL if it hangs); the directory is the caller's. */
    @Override
    public void close() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOPPED.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(STOPPED.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
