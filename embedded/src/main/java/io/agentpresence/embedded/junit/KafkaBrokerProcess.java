package io.agentpresence.embedded.junit;

import io.agentpresence.embedded.EmbeddedKafkaBroker;
import io.agentpresence.embedded.KafkaBrokerMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    private static final String READY_LINE = "Kafka broker ready on ";

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final ServerProcess process = new ServerProcess("the broker");
    private int starts;

    private KafkaBrokerProcess(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Formats a broker in {@code dir} on two free ports and starts it; returns once it serves clients. */
    public static KafkaBrokerProcess start(Path dir) throws IOException, InterruptedException {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir.toAbsolutePath(), EmbeddedKafkaBroker.freePort(), EmbeddedKafkaBroker.freePort());
        broker.launch();
        return broker;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, the logs are left as a crash leaves them. */
    public void kill() throws InterruptedException {
        process.kill();
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
        process.start(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                KafkaBrokerMain.class.getName(), dir.resolve("data").toString(), String.valueOf(port),
                String.valueOf(controllerPort)), log, STARTED,
                () -> Files.readString(log, StandardCharsets.UTF_8).contains(READY_LINE));
        LOG.info("Kafka broker on port {} running (pid {}, start {})", port, process.pid(), starts);
    }

    /** Stops the broker (SIGTERM, then SIGKILL if it hangs); the directory is the caller's. */
    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
