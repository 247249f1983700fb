package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.ops.HealthServer;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operations endpoints of a running service, read over HTTP as Prometheus and a load balancer would. */
@ExtendWith(PresenceInfrastructure.class)
class MetricsAndHealthIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final String USER_PREFIX = "metrics-user-";
    private static final int VALID = 20;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ConsumerFixture fixture;
    private TestDatabase db;
    private int port;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void metricsCountWhatHappenedAndHealthFollowsTheService() throws Exception {
        String topic = fixture.topic("metrics", 2);
        ConsumerService service = fixture.start(fixture.settings(topic, topic + "-live"));
        // as ConsumerApp's run wires it, on any free port
        HealthServer server = fixture.closeLater(
                new HealthServer("0.0.0.0", 0, service.meterRegistry(), service::isLive, service::isReady));
        port = server.port();

        long now = System.currentTimeMillis();
        KafkaProducer<byte[], byte[]> producer = fixture.rawProducer();
        for (int i = 0; i < VALID; i++) {
            send(producer, topic, USER_PREFIX + i, event(USER_PREFIX + i, "online", now - 1_000 + i));
        }
        for (int i = 0; i < 3; i++) {
            send(producer, topic, USER_PREFIX + "bad-" + i, "not json " + i);
        }
        for (int i = 0; i < 2; i++) {
            send(producer, topic, USER_PREFIX + "dance-" + i, event(USER_PREFIX + "dance-" + i, "dancing", now));
        }
        send(producer, topic, USER_PREFIX + "a", event(USER_PREFIX + "b", "away", now));
        producer.flush();
        // applied, not only consumed (counted at decode): the events below must find these rows in the table
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, topic + "-live", topic) == 26);
        // once applied: one event older than its row (stale), one newer (an update), a heartbeat (last_seen only)
        send(producer, topic, USER_PREFIX + 0, event(USER_PREFIX + 0, "busy", now - 60_000));
        send(producer, topic, USER_PREFIX + 1, event(USER_PREFIX + 1, "busy", now));
        send(producer, topic, USER_PREFIX + 2, "{\"userId\":\"" + USER_PREFIX + 2 + "\",\"kind\":\"heartbeat\",\"ts\":"
                + now + "}");
        producer.flush();
        int sent = VALID + 6 + 3;

        await().atMost(CONVERGE).untilAsserted(() -> {
            Map<String, Double> m = parse(get("/metrics").body());
            assertThat(m).containsEntry("presence_events_consumed_total", (double) sent)
                    .containsEntry("presence_rows_written_total{kind=\"update\"}", 1.0)
                    .containsEntry("presence_rows_written_total{kind=\"seen\"}", 1.0)
                    // the stale event may come from the other partition, in a batch of its own
                    .containsEntry("presence_events_stale_total", 1.0);
            assertThat(sum(m, "presence_events_dead_lettered_total")).isEqualTo(6.0);
        });
        HttpResponse<String> response = get("/metrics");
        String scrape = response.body();
        Map<String, Double> m = parse(scrape);
        printExcerpt(scrape);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> t.startsWith("text/plain"));
        assertThat(m).containsEntry("presence_events_consumed_total", (double) sent)
                .containsEntry("presence_events_rejected_total{reason=\"malformed-json\"}", 3.0)
                .containsEntry("presence_events_rejected_total{reason=\"unknown-status\"}", 2.0)
                .containsEntry("presence_events_rejected_total{reason=\"key-mismatch\"}", 1.0)
                .containsEntry("presence_events_rejected_total{reason=\"missing-status\"}", 0.0)
                .containsEntry("presence_events_dead_lettered_total{reason=\"malformed-json\"}", 3.0)
                .containsEntry("presence_events_dead_lettered_total{reason=\"unknown-status\"}", 2.0)
                .containsEntry("presence_events_dead_lettered_total{reason=\"key-mismatch\"}", 1.0)
                // every reason exported from the start, so that an alert sees the first dead letter as an increase
                .containsEntry("presence_events_dead_lettered_total{reason=\"missing-status\"}", 0.0)
                .containsEntry("presence_events_dead_lettered_total{reason=\"database-rejected\"}", 0.0)
                .containsEntry("presence_waiting", 0.0)
                .containsEntry("presence_rows_written_total{kind=\"insert\"}", (double) VALID)
                .containsEntry("presence_rows_written_total{kind=\"update\"}", 1.0)
                .containsEntry("presence_rows_written_total{kind=\"delete\"}", 0.0)
                .containsEntry("presence_rows_written_total{kind=\"seen\"}", 1.0)
                .containsEntry("presence_events_stale_total", 1.0)
                .containsEntry("presence_events_superseded_total", 0.0)
                .containsEntry("presence_batch_retries_total", 0.0)
                .containsEntry("presence_partitions_fenced_total", 0.0)
                .containsEntry("presence_batch_records_sum", (double) sent)
                .containsKey("presence_event_delay_seconds_bucket{le=\"0.05\"}")
                .containsKey("presence_records_lag")
                .containsKey("presence_batch_write_seconds_sum")
                .containsKey("hikaricp_connections{pool=\"presence-db\"}")
                .containsKey("hikaricp_connections_max{pool=\"presence-db\"}");
        assertThat(m.get("presence_batch_records_count")).isBetween(2.0, (double) sent);
        // one delay per batch that applied anything: its oldest change's
        assertThat(m.get("presence_event_delay_seconds_count")).isBetween(1.0, m.get("presence_batch_records_count"))
                .isEqualTo(m.get("presence_event_delay_seconds_bucket{le=\"+Inf\"}"));
        assertThat(m.get("presence_event_delay_seconds_max")).isBetween(0.0, 120.0);
        assertThat(m.get("presence_batch_write_seconds_count")).isPositive();
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("kafka_consumer_") && k.contains("client_id=\"presence-consumer-"));
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("kafka_producer_") && k.contains("client_id=\"presence-dlq-"));
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"));
        assertThat(scrape).as("no label carries a userId").doesNotContain(USER_PREFIX);
        assertThat(scrape).contains("# HELP presence_events_consumed_total records polled from the presence topic");
        assertThat(new PresenceTable(db).count()).isEqualTo(VALID);

        assertHealth("/health/live", 200, "live");
        assertHealth("/health/ready", 200, "ready");

        service.close();

        assertHealth("/health/live", 503, "not live");
        assertHealth("/health/ready", 503, "not ready");
    }

    private void assertHealth(String path, int status, String body) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        assertThat(response.body()).as(path).isEqualTo(body + "\n");
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String event(String userId, String status, long ts) {
        return "{\"userId\":\"" + userId + "\",\"status\":\"" + status + "\",\"ts\":" + ts + "}";
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Prometheus text format: {@code name{labels} value} per sample line, keyed by name and labels as written. */
    private static Map<String, Double> parse(String scrape) {
        Map<String, Double> samples = new TreeMap<>();
        scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(line -> {
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        });
        return samples;
    }

    private static double sum(Map<String, Double> samples, String name) {
        return samples.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static void printExcerpt(String scrape) {
        System.out.println("--- /metrics excerpt");
        scrape.lines().filter(l -> l.startsWith("presence_") && !l.endsWith(" 0.0")
                        || l.startsWith("hikaricp_connections{") || l.startsWith("kafka_consumer_fetch_manager_records_lag"))
                .forEach(System.out::println);
    }
}
