package io.agentpresence.localstack;

import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.ConfigKey;
import io.agentpresence.consumer.ConsumerService;
import io.agentpresence.consumer.fold.FoldService;
import io.agentpresence.consumer.fold.FoldSettings;
import io.agentpresence.consumer.order.OrderService;
import io.agentpresence.consumer.order.OrderSettings;
import io.agentpresence.consumer.ops.HealthServer;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.embedded.EmbeddedKafkaBroker;
import io.agentpresence.embedded.EmbeddedMariaDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started local stack: the broker and the database (embedded unless the environment names existing ones), the
 * consumer running against them, the fold that turns device-level events into user-level ones, and, when a raw
 * topic is configured, the order stage that passes on only newer states from it. {@link #close()} stops them in
 * dependency order: order stage, fold, consumer, broker, database.
 */
public final class RunningStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunningStack.class);
    /** How long the consumer and the fold may take to be ready once started; seconds on a quiet machine. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration READY_POLL = Duration.ofMillis(50);

    private final StackSettings settings;
    private final EmbeddedKafkaBroker broker;
    private final EmbeddedMariaDb database;
    private final PresenceConsumerConfig config;
    private final FoldSettings foldSettings;
    private final ConsumerService consumer;
    private final FoldService fold;
    /** Null unless a raw topic is configured. */
    private final OrderService order;
    private final HealthServer http;
    private final Duration startupTime;
    private volatile boolean closing;

    private RunningStack(StackSettings settings, EmbeddedKafkaBroker broker, EmbeddedMariaDb database,
            PresenceConsumerConfig config, ConsumerService consumer, FoldService fold, OrderService order,
            Duration startupTime) {
        this.http = startHttp(config, consumer, fold);
        this.settings = settings;
        this.broker = broker;
        this.database = database;
        this.config = config;
        this.foldSettings = FoldSettings.from(config);
        this.consumer = consumer;
        this.fold = fold;
        this.order = order;
        this.startupTime = startupTime;
    }

    /** Starts whatever the settings ask for; on failure stops what already runs and throws a {@link StackException}. */
    public static RunningStack start(StackSettings settings) {
        long begin = System.nanoTime();
        // a typo in a PRESENCE_* variable should fail now, not after the database has taken 10 s to start
        consumerConfig(settings, plannedBootstrapServers(settings), plannedDbUrl(settings));
        checkPorts(settings);

        FutureTask<EmbeddedMariaDb> databaseStart = new FutureTask<>(() -> startDatabase(settings));
        // the database is a separate process and mostly waits on disk: start it beside the broker
        new Thread(databaseStart, "presence-dev-mariadb-start").start();
        EmbeddedKafkaBroker broker;
        try {
            broker = settings.externalBootstrapServers().isPresent() ? null : startBroker(settings);
        } catch (RuntimeException | Error e) {
            closeQuietly("MariaDB", awaitQuietly(databaseStart));
            throw e;
        }
        EmbeddedMariaDb database;
        try {
            database = await(databaseStart);
        } catch (RuntimeException | Error e) {
            closeQuietly("Kafka broker", broker);
            throw e;
        }

        String bootstrapServers = broker != null ? broker.bootstrapServers() : plannedBootstrapServers(settings);
        String dbUrl = database != null ? database.jdbcUrl(StackSettings.DATABASE) : plannedDbUrl(settings);
        PresenceConsumerConfig config;
        ConsumerService consumer = null;
        FoldService fold = null;
        OrderService order;
        try {
            config = consumerConfig(settings, bootstrapServers, dbUrl);
            consumer = ConsumerService.start(config);
            fold = FoldService.start(config);
            order = OrderSettings.enabled(config) ? OrderService.start(config) : null;
            awaitReady(consumer, fold);
        } catch (Exception | Error e) {
            // an Error too (a missing class, say): left running, broker and database would keep the JVM alive
            closeQuietly("fold", fold);
            closeQuietly("consumer", consumer);
            closeQuietly("Kafka broker", broker);
            closeQuietly("MariaDB", database);
            if (e instanceof Error error) {
                throw error;
            }
            throw e instanceof StackException s ? s : new StackException((consumer == null ? "the consumer"
                    : fold == null ? "the fold" : "the order stage") + " did not start: " + Failures.describe(e), e);
        }
        return new RunningStack(settings, broker, database, config, consumer, fold, order,
                Duration.ofNanos(System.nanoTime() - begin));
    }

    /**
     * Waits until the consumer and the fold are both ready, so the stack says it is up only when it is: the fold
     * reaches {@code RUNNING} a few seconds after it starts, once its tasks are assigned and their state restored.
     */
    private static void awaitReady(ConsumerService consumer, FoldService fold) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!(consumer.isReady() && fold.isReady())) {
            if (fold.failure() != null) {
                throw new StackException("the fold stopped while starting: " + Failures.describe(fold.failure()),
                        fold.failure());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StackException("the " + (fold.isReady() ? "consumer" : "fold") + " was not ready within "
                        + READY_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(READY_POLL.toMillis());
        }
    }

    /**
     * The settings of the consumer, the fold and the order stage: {@code PRESENCE_*} from the environment, with the
     * broker and database this stack provides filled in, and the fold's and the stage's state kept with the stack's
     * data.
     */
    static PresenceConsumerConfig consumerConfig(StackSettings settings, String bootstrapServers, String dbUrl) {
        Map<String, String> env = new HashMap<>(settings.env());
        env.put(StackSettings.ENV_BOOTSTRAP_SERVERS, bootstrapServers);
        env.putIfAbsent(StackSettings.ENV_FOLD_STATE_DIR, settings.foldStateDir().toString());
        env.putIfAbsent(StackSettings.ENV_ORDER_STATE_DIR, settings.orderStateDir().toString());
        if (settings.externalDbUrl().isEmpty()) {
            env.put(StackSettings.ENV_DB_URL, dbUrl);
            env.put(StackSettings.ENV_DB_USER, StackSettings.EMBEDDED_DB_USER);
            env.remove(StackSettings.ENV_DB_PASSWORD);
        }
        try {
            List<ConfigKey> keys = Stream.concat(FoldSettings.KEYS.stream(), OrderSettings.KEYS.stream()).toList();
            PresenceConsumerConfig config = PresenceConsumerConfig.load(null, env, keys);
            // checked now too: a bad fold or stage setting would otherwise show only after the consumer had started
            FoldSettings.from(config);
            if (OrderSettings.enabled(config)) {
                OrderSettings.from(config);
            }
            return config;
        } catch (ConfigException e) {
            throw new StackException(e.getMessage(), e);
        }
    }

    private static String plannedBootstrapServers(StackSettings settings) {
        return settings.externalBootstrapServers().orElse(Ports.HOST + ":" + settings.kafkaPort());
    }

    private static String plannedDbUrl(StackSettings settings) {
        return settings.externalDbUrl()
                .orElse("jdbc:mysql://" + Ports.HOST + ":" + settings.dbPort() + "/" + StackSettings.DATABASE);
    }

    private static void checkPorts(StackSettings settings) {
        if (settings.externalBootstrapServers().isEmpty()) {
            String hint = "is another Kafka broker or local stack running? Stop it, choose other ports with "
                    + "--kafka-port/--kafka-controller-port (PRESENCE_DEV_KAFKA_PORT, PRESENCE_DEV_KAFKA_CONTROLLER_PORT), "
                    + "or use a running broker with PRESENCE_BOOTSTRAP_SERVERS=host:port";
            Ports.requireFree(settings.kafkaPort(), "Kafka broker", hint);
            Ports.requireFree(settings.kafkaControllerPort(), "Kafka controller", hint);
        }
        if (settings.externalDbUrl().isEmpty() && !OrphanedMariaDb.holds(settings.mariaDbDir())) {
            Ports.requireFree(settings.dbPort(), "embedded MariaDB", "is another database or local stack running? "
                    + "Stop it, choose another port with --db-port (PRESENCE_DEV_DB_PORT), or use a running server with "
                    + "PRESENCE_DB_URL=jdbc:mysql://host:port/" + StackSettings.DATABASE
                    + " (and PRESENCE_DB_USER, PRESENCE_DB_PASSWORD)");
        }
    }

    private static EmbeddedKafkaBroker startBroker(StackSettings settings) {
        boolean fresh = !Files.exists(settings.kafkaDir().resolve("logs").resolve("meta.properties"));
        LOG.info("Starting Kafka broker on {}:{} (controller {}), data in {}{}", Ports.HOST, settings.kafkaPort(),
                settings.kafkaControllerPort(), settings.kafkaDir(), fresh ? " (new: formatting it)" : "");
        long begin = System.nanoTime();
        try {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startPersistent(settings.kafkaDir(), settings.kafkaPort(),
                    settings.kafkaControllerPort());
            LOG.info("Kafka broker ready in {}", Failures.seconds(System.nanoTime() - begin));
            return broker;
        } catch (Exception e) {
            throw new StackException("the Kafka broker did not start: " + Failures.describe(e), e);
        }
    }

    private static EmbeddedMariaDb startDatabase(StackSettings settings) {
        if (settings.externalDbUrl().isPresent()) {
            return null;
        }
        Path dataDir = settings.mariaDbDir().resolve("data");
        boolean fresh = !Files.isDirectory(dataDir);
        LOG.info("Starting MariaDB on {}:{}, data in {}{}", Ports.HOST, settings.dbPort(), settings.mariaDbDir(),
                fresh ? " (new: unpacking about 350 MB and creating the database, about 10 s)" : "");
        long begin = System.nanoTime();
        EmbeddedMariaDb database = null;
        try {
            database = EmbeddedMariaDb.startPersistent(settings.mariaDbDir(), settings.dbPort());
            database.createDatabase(StackSettings.DATABASE);
            LOG.info("MariaDB ready in {}", Failures.seconds(System.nanoTime() - begin));
            return database;
        } catch (Exception e) {
            closeQuietly("MariaDB", database);
            throw new StackException("the embedded MariaDB did not start: " + Failures.describe(e), e);
        }
    }

    private static EmbeddedMariaDb await(FutureTask<EmbeddedMariaDb> task) {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new StackException(Failures.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while the database was starting", e);
        }
    }

    private static EmbeddedMariaDb awaitQuietly(FutureTask<EmbeddedMariaDb> task) {
        try {
            return await(task);
        } catch (RuntimeException e) {
            // the broker's failure is the one to report; this one only means there is nothing to stop
            return null;
        }
    }

    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    public String jdbcUrl() {
        return config.dbUrl();
    }

    public String dbUser() {
        return config.dbUser();
    }

    public String dbPassword() {
        return config.dbPassword();
    }

    public String topic() {
        return config.topic();
    }

    public String deviceTopic() {
        return foldSettings.deviceTopic();
    }

    /** The topic publishers write to: the raw topic when the order stage runs, else the presence topic. */
    public String publishTopic() {
        return config.rawTopic().orElse(config.topic());
    }

    /** The raw topic the order stage reads, when it runs. */
    public Optional<String> rawTopic() {
        return config.rawTopic();
    }

    public Duration deviceTtl() {
        return foldSettings.ttl();
    }

    public StackSettings settings() {
        return settings;
    }

    public boolean embeddedBroker() {
        return broker != null;
    }

    public boolean embeddedDatabase() {
        return database != null;
    }

    public Duration startupTime() {
        return startupTime;
    }

    /**
     * /metrics and /health/* on {@code PRESENCE_HTTP_PORT}, as the service serves them, for the consumer and the fold
     * together: the meters of both, live and ready when both are. Null when off or taken.
     */
    private static HealthServer startHttp(PresenceConsumerConfig config, ConsumerService consumer, FoldService fold) {
        if (config.httpPort() < 0) {
            return null;
        }
        try {
            MergedScrape metrics = new MergedScrape(List.of(consumer.meterRegistry()::scrape,
                    fold.meterRegistry()::scrape));
            return new HealthServer(config.httpBindAddress(), config.httpPort(), metrics,
                    () -> consumer.isLive() && fold.isLive(), () -> consumer.isReady() && fold.isReady());
        } catch (IOException e) {
            // a convenience of the local stack: without it everything else still works
            LOG.warn("No /metrics: port {} is not free ({}); set PRESENCE_HTTP_PORT to another, or -1",
                    config.httpPort(), e.getMessage());
            return null;
        }
    }

    /** Whether the fold is {@code RUNNING}: its tasks assigned and their state restored. */
    boolean foldReady() {
        return fold.isReady();
    }

    /** The port of /metrics and /health/*, or -1 when they are not served. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public boolean consumerRunning() {
        return consumer.isLive();
    }

    /** Blocks until the consumer stops: after {@link #close()} or a fatal error of its own. */
    public void awaitConsumerTermination() throws InterruptedException {
        consumer.awaitTermination();
    }

    public boolean closing() {
        return closing;
    }

    /** Stops the consumer, then the broker, then the database. Idempotent; a second caller waits for the first. */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        long begin = System.nanoTime();
        closeQuietly("order stage", order);
        closeQuietly("fold", fold);
        closeQuietly("consumer", consumer);
        closeQuietly("HTTP endpoints", http);
        closeQuietly("Kafka broker", broker);
        closeQuietly("MariaDB", database);
        LOG.info("Local stack stopped in {}", Failures.seconds(System.nanoTime() - begin));
    }

    private static void closeQuietly(String what, AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            // keep stopping the rest: a half-stopped stack would hold ports and data directories
            LOG.warn("Stopping the {} failed: {}", what, Failures.describe(e));
        }
    }
}
