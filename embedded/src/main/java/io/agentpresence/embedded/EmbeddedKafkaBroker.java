package io.agentpresence.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) running inside this JVM. It boots the way
 * {@code kafka.Kafka} does: format the storage once, then start a {@link KafkaRaftServer}. A kept data
 * directory is reused on the next start, so the local stack survives restarts.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, boolean deleteOnClose, int port, int controllerPort) throws IOException {
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        Files.createDirectories(dataDir);
        Properties props = serverProperties(dataDir.resolve("logs"), port, controllerPort);
        if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
            format(props);
        }
        this.server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        // returns once the broker is unfenced and listening
        server.startup();
    }

    /** A throw-away broker on free ports, deleted on close: for tests. */
    public static EmbeddedKafkaBroker startTemporary() throws IOException {
        return new EmbeddedKafkaBroker(Files.createTempDirectory("presence-kraft-"), true, freePort(), freePort());
    }

    /** A broker that keeps its data in {@code dataDir} across restarts: for the local stack. */
    public static EmbeddedKafkaBroker startPersistent(Path dataDir, int port, int controllerPort) throws IOException {
        return new EmbeddedKafkaBroker(dataDir.toAbsolutePath(), false, port, controllerPort);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    private static Properties serverProperties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        // one node: every internal topic must fit on it, and nothing should wait for peers that never come
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.streams.initial.rebalance.delay.ms", "0");
        // members of KIP-848 groups notice assignment changes within a second instead of five
        p.put("group.consumer.min.heartbeat.interval.ms", "500");
        p.put("group.consumer.heartbeat.interval.ms", "1000");
        // the log cleaner looks for compactable logs every second instead of every 15: compaction shows within
        // seconds, for tests of what compaction leaves; an idle check costs next to nothing
        p.put("log.cleaner.enable", "true");
        p.put("log.cleaner.backoff.ms", "1000");
        return p;
    }

    private static void format(Properties props) throws IOException {
        Path cfg = Files.createTempFile("kraft-format-", ".properties");
        try {
            try (Writer w = Files.newBufferedWriter(cfg, StandardCharsets.UTF_8)) {
                props.store(w, null);
            }
            int rc = StorageTool.execute(new String[] {"format", "--standalone", "-t", Uuid.randomUuid().toString(),
                    "-c", cfg.toString()}, new PrintStream(OutputStream.nullOutputStream()));
            if (rc != 0) {
                throw new IllegalStateException("formatting the Kafka storage failed with exit code " + rc);
            }
        } finally {
            Files.deleteIfExists(cfg);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            deleteTree(dataDir);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }

    /** A port on the loopback interface that nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
