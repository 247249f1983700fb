package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.ConsumerProcess;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar presence-consumer.jar fold} as operators run it: from the shaded jar (whose RocksDB needs its
 * native library inside), configured by environment variables, stopped by SIGTERM.
 */
@ExtendWith(PresenceInfrastructure.class)
class FoldCommandIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final Pattern PORT = Pattern.compile("Serving /metrics, /health/live and /health/ready on \\S+ port (\\d+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    Path dir;
    private ConsumerFixture fixture;
    private Process process;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (process != null) {
            process.destroyForcibly();
        }
        fixture.close();
    }

    @Test
    void theShadedJarFoldsServesHealthAndMetricsAndStopsCleanlyOnSigterm() throws Exception {
        String devices = fixture.topic("cmd-devices", 2);
        String presence = fixture.topic("cmd-presence", 2);
        Map<String, String> settings = fixture.settings(presence, "unused");
        settings.put("device.topic", devices);
        settings.put("fold.application.id", "fold-cmd-" + UUID.randomUUID().toString().substring(0, 8));
        settings.put("fold.state.dir", dir.resolve("state").toString());
        Path log = dir.resolve("fold.log");
        CommittedRecords written = fixture.closeLater(new CommittedRecords(fixture.bootstrapServers(), presence));

        process = ConsumerProcess.start("fold", settings, log);
        await().atMost(CONVERGE).until(() -> Files.readString(log).contains("Fold RUNNING"));
        int port = port(log);
        fixture.publisher(devices).publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "u1", "busy",
                System.currentTimeMillis(), "plugin", "phone")).get();

        await().atMost(CONVERGE).until(() -> written.statuses().size() == 1);
        assertThat(written.statuses().get(0).status()).isEqualTo("busy");
        assertThat(get(port, "/health/live")).isEqualTo("200 live");
        assertThat(get(port, "/health/ready")).isEqualTo("200 ready");
        String metrics = get(port, "/metrics");
        assertThat(metrics).contains("presence_fold_events_emitted_total{reason=\"status\"} 1.0",
                "presence_fold_events_read_total{kind=\"status\"} 1.0", "kafka_stream_");

        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(ConsumerProcess.tail(log, 40)).isTrue();
        // a JVM stopped by a signal exits with 128 + its number, as run does, once the shutdown hook has closed it
        assertThat(process.exitValue()).as(ConsumerProcess.tail(log, 40)).isEqualTo(128 + 15);
        assertThat(Files.readString(log)).contains("Fold NOT_RUNNING").doesNotContain("ERROR", "still closing");
        assertThat(dir.resolve("state")).isDirectory();
    }

    private static int port(Path log) throws Exception {
        Matcher m = PORT.matcher(Files.readString(log, StandardCharsets.UTF_8));
        assertThat(m.find()).as("the port line in the log").isTrue();
        return Integer.parseInt(m.group(1));
    }

    private String get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return path.startsWith("/health") ? response.statusCode() + " " + response.body().strip() : response.body();
    }
}
