package io.agentpresence.consumer;

import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.engine.AdminTopicLogs;
import io.agentpresence.consumer.engine.RecordDecoder;
import io.agentpresence.consumer.ops.HealthServer;
import io.agentpresence.consumer.ops.JvmMeters;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.ops.TopicProvisioner;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.PresenceBuffer;
import io.agentpresence.consumer.sink.PresenceUpsert;
import io.agentpresence.consumer.sink.SqlDialect;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the build runs once to record the classes a {@code run} loads: into a class-data-sharing archive
 * ({@code -XX:ArchiveClassesAtExit}) on the JVM that builds, or an ahead-of-time cache on Java 25
 * ({@code -XX:AOTCacheOutput}). It goes through a start as the service makes it, without a broker or a database:
 * the configuration, logging, the metrics registry and one scrape of {@code /metrics}, the Kafka clients against a
 * loopback socket that never answers, the pool against one that hangs up, and a few batches decoded, reduced and
 * turned into upsert text. Every failure the silent peers cause is expected and ignored.
 */
public final class ClassDataWorkload {

    private static final Logger LOG = LoggerFactory.getLogger(ClassDataWorkload.class);
    /** Long enough for each client to send its first request; the peers never answer it. */
    private static final Duration CLIENT_WAIT = Duration.ofMillis(1000);
    private static final int BATCHES = 4;
    private static final int BATCH_RECORDS = 5_000;

    private ClassDataWorkload() {
    }

    public static void main(String[] args) throws Exception {
        try (SilentPeer broker = SilentPeer.listening(); SilentPeer database = SilentPeer.hangingUp()) {
            help();
            PresenceConsumerConfig config = PresenceConsumerConfig.load(null, settings(broker, database),
                    ConsumerApp.COMPONENT_KEYS);
            LOG.info("Workload configuration:\n{}", config.describe(PresenceConsumerConfig.KEYS));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            AutoCloseable jvmMeters = JvmMeters.bind(registry);
            database(config, registry);
            kafka(config, registry);
            batches(config, new PresenceMetrics(registry));
            scrape(registry);
            jvmMeters.close();
            registry.close();
        }
        // a client thread still winding down must not keep the build waiting; the archive is written at exit
        System.exit(0);
    }

    /** What {@code bin/presence-consumer} is given: bootstrap servers and a database URL, here the silent peers. */
    private static Map<String, String> settings(SilentPeer broker, SilentPeer database) {
        Map<String, String> env = new HashMap<>();
        env.put("PRESENCE_BOOTSTRAP_SERVERS", "127.0.0.1:" + broker.port());
        env.put("PRESENCE_DB_URL", "jdbc:mysql://127.0.0.1:" + database.port() + "/presence");
        env.put("PRESENCE_KAFKA_REQUEST_TIMEOUT_MS", String.valueOf(CLIENT_WAIT.toMillis()));
        env.put("PRESENCE_KAFKA_DEFAULT_API_TIMEOUT_MS", String.valueOf(CLIENT_WAIT.toMillis()));
        return env;
    }

    private static void help() {
        ConsumerApp.commandLine().setOut(new PrintWriter(new StringWriter())).execute("run", "--help");
    }

    /** The pool's first connection fails when the peer hangs up before its greeting, the driver's session set up. */
    private static void database(PresenceConsumerConfig config, PrometheusMeterRegistry registry) {
        try {
            DataSourceFactory.create(config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize(),
                    registry).close();
        } catch (RuntimeException e) {
            // expected: no database answers
        }
        // Flyway's configuration, as a first start on an empty database loads it; migrating needs a database
        Flyway.configure().locations("classpath:db/migration").table("presence_workload_history").load();
    }

    private static void kafka(PresenceConsumerConfig config, PrometheusMeterRegistry registry) throws Exception {
        try {
            TopicProvisioner.ensureAndLog(KafkaClients.admin(config), config.topicPlan());
        } catch (Exception e) {
            // expected: the broker never answers
        }
        // each client is closed without waiting: what it would wait for is an answer that never comes
        Admin admin = Admin.create(KafkaClients.admin(config));
        try {
            new AdminTopicLogs(admin, CLIENT_WAIT).read(config.topic(), List.of(new TopicPartition(config.topic(), 0)));
        } catch (Exception e) {
            // expected: the broker never answers
        } finally {
            admin.close(Duration.ZERO);
        }
        // the dead-letter producer sends nothing until a record is refused, but asks for its producer id at once: its
        // fixed request timeout is shortened, or closing it would wait that long for the id
        Map<String, Object> producerSettings = new HashMap<>(KafkaClients.deadLetterProducer(config));
        producerSettings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CLIENT_WAIT.toMillis());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings);
        try (KafkaClientMetrics metrics = new KafkaClientMetrics(producer)) {
            metrics.bindTo(registry);
        } finally {
            producer.close(Duration.ZERO);
        }
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.groupConsumer(config));
        try (KafkaClientMetrics metrics = new KafkaClientMetrics(consumer)) {
            metrics.bindTo(registry);
            consumer.subscribe(List.of(config.topic()));
            consumer.poll(CLIENT_WAIT);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    /** Batches as the poll loop sees them: decoded (a malformed record among them), reduced, and written as SQL. */
    private static void batches(PresenceConsumerConfig config, PresenceMetrics metrics) throws Exception {
        PresenceEventCodec codec = config.codec();
        RecordDecoder decoder = new RecordDecoder(codec);
        for (int batch = 0; batch < BATCHES; batch++) {
            PresenceBuffer buffer = new PresenceBuffer();
            for (int i = 0; i < BATCH_RECORDS; i++) {
                ConsumerRecord<byte[], byte[]> record = record(config.topic(), codec, batch * BATCH_RECORDS + i);
                try {
                    buffer.add(decoder.decode(record, i));
                } catch (MalformedEventException e) {
                    // one record in each batch is meant to be refused
                    metrics.rejected(e.rejection());
                }
            }
            metrics.consumed(BATCH_RECORDS);
            metrics.batch(BATCH_RECORDS);
            for (SqlDialect dialect : SqlDialect.values()) {
                new PresenceUpsert(dialect).upsert(buffer.changes());
            }
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, PresenceEventCodec codec, int n)
            throws MalformedEventException {
        String user = "workload-" + (n % 1_000);
        byte[] key = PresenceEventCodec.key(user);
        byte[] value = switch (n % 5) {
            case 0 -> n % BATCH_RECORDS == 0 ? "{\"userId\":".getBytes(StandardCharsets.UTF_8) : null;
            case 1 -> codec.encode(PresenceEvent.heartbeat(user, System.currentTimeMillis(), "workload", null));
            default -> codec.encode(PresenceEvent.now(user, "online", "workload"));
        };
        return new ConsumerRecord<>(topic, n % 6, n, System.currentTimeMillis(), TimestampType.CREATE_TIME, key.length,
                value == null ? -1 : value.length, key, value, new RecordHeaders(), Optional.empty());
    }

    /** One scrape of {@code /metrics} through the operations server, as Prometheus makes it. */
    private static void scrape(PrometheusMeterRegistry registry) throws Exception {
        try (HealthServer http = new HealthServer("127.0.0.1", 0, registry, () -> true, () -> true);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), http.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try (InputStream in = socket.getInputStream()) {
                in.readAllBytes();
            }
        }
    }
}
