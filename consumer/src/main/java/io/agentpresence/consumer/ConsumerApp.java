package io.agentpresence.consumer;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.Durations;
import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.ops.Service;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.fold.FoldService;
import io.agentpresence.consumer.fold.FoldSettings;
import io.agentpresence.consumer.config.ConfigKey;
import io.agentpresence.consumer.ops.HealthServer;
import io.agentpresence.consumer.ops.ServicePair;
import io.agentpresence.consumer.order.OrderService;
import io.agentpresence.consumer.order.OrderSettings;
import io.agentpresence.consumer.ops.TopicProvisioner;
import io.agentpresence.consumer.recovery.Rebuild;
import io.agentpresence.consumer.recovery.RebuildAbandonedException;
import io.agentpresence.consumer.recovery.Replay;
import io.agentpresence.consumer.recovery.Verify;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.OldTableAdoption;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.SchemaMigrator;
import io.agentpresence.consumer.sink.SqlDialect;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code presence-consumer}: the service's command line ({@code run}, {@code fold}, {@code migrate}, ...). */
@Command(name = "presence-consumer", mixinStandardHelpOptions = true, version = "presence-consumer 0.1.0",
        description = "Applies agent presence events from Kafka to MySQL.",
        subcommands = {ConsumerApp.Run.class, ConsumerApp.Fold.class, ConsumerApp.Order.class,
            ConsumerApp.Migrate.class, ConsumerApp.Topics.class, ConsumerApp.ReplayCommand.class, ConsumerApp.RebuildCommand.class,
            ConsumerApp.VerifyCommand.class, CommandLine.HelpCommand.class})
public final class ConsumerApp {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerApp.class);
    /** Stateless: the one instance the replay and rebuild commands hand down ({@code run} wires its own). */
    private static final FailureClassifier FAILURES = new FailureClassifier();
    /** The keys of the components that read the configuration beside the consumer. */
    static final List<ConfigKey> COMPONENT_KEYS = Stream.concat(FoldSettings.KEYS.stream(),
            OrderSettings.KEYS.stream()).toList();

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new ConsumerApp())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + e.getMessage());
                    return e instanceof ConfigException ? 2 : cmd.getCommandSpec().exitCodeOnExecutionException();
                });
    }

    /** The options every subcommand shares. */
    static final class ConfigOption {
        @Option(names = "--config", paramLabel = "FILE",
                description = "properties file (keys such as db.url, kafka.*); PRESENCE_* environment variables override it")
        Path file;

        PresenceConsumerConfig load() {
            // every command accepts the fold's and the order stage's keys, so run, fold and order can share one file
            return PresenceConsumerConfig.load(file, System.getenv(), COMPONENT_KEYS);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Consume presence events and apply them to the database until stopped (SIGTERM, Ctrl-C).",
                    "With raw.topic set, the order stage runs beside it (see order)."})
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Override
        public Integer call() throws Exception {
            PresenceConsumerConfig c = config.load();
            ConsumerService consumer = ConsumerService.start(c);
            if (!OrderSettings.enabled(c)) {
                return serveUntilStopped(c, consumer);
            }
            OrderService order;
            try {
                order = OrderService.startBeside(c, consumer.meterRegistry());
            } catch (Exception | Error e) {
                // the pair runs together or not at all
                consumer.close();
                throw e;
            }
            return serveUntilStopped(c, new ServicePair(consumer, "consumer", order, "order"));
        }
    }

    @Command(name = "order", mixinStandardHelpOptions = true,
            description = {"Pass raw presence events (raw.topic) on to the compacted presence topic until stopped"
                    + " (SIGTERM, Ctrl-C), only those that are a newer state of their user than everything passed"
                    + " on before: so the record compaction keeps for a user is the newest state. A Kafka Streams"
                    + " application, exactly-once, its state in order.state.dir."})
    static final class Order implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Override
        public Integer call() throws Exception {
            PresenceConsumerConfig c = config.load();
            return serveUntilStopped(c, OrderService.start(c));
        }
    }

    @Command(name = "fold", mixinStandardHelpOptions = true,
            description = {"Fold device-level events (device.topic) into user-level events on the presence topic"
                    + " until stopped (SIGTERM, Ctrl-C): a user is the best status of their live devices, and a"
                    + " device without an event or heartbeat for device.ttl expires. A Kafka Streams application,"
                    + " exactly-once, its state in fold.state.dir."})
    static final class Fold implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Override
        public Integer call() throws Exception {
            PresenceConsumerConfig c = config.load();
            return serveUntilStopped(c, FoldService.start(c));
        }
    }

    /** Serves the operations endpoints until the service stops (SIGTERM closes it); 0 when it stopped cleanly. */
    private static int serveUntilStopped(PresenceConsumerConfig c, Service service) throws Exception {
        HealthServer http = serveHealth(c, service);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            if (http != null) {
                http.close();
            }
        }, "presence-shutdown"));
        service.awaitTermination();
        return service.failure() == null ? 0 : 1;
    }

    /** The operations endpoints on {@code http.port}, or null when it is -1; a taken port closes the service. */
    private static HealthServer serveHealth(PresenceConsumerConfig c, Service service) throws Exception {
        if (c.httpPort() < 0) {
            return null;
        }
        HealthServer http;
        try {
            http = new HealthServer(c.httpBindAddress(), c.httpPort(), service.meterRegistry(), service::isLive,
                    service::isReady);
        } catch (IOException e) {
            service.close();
            throw new ConfigException(PresenceConsumerConfig.HTTP_PORT.display() + ": cannot serve on "
                    + c.httpBindAddress() + " port " + c.httpPort() + " (" + e.getMessage() + "); choose another port,"
                    + " 0 for any, -1 for none, or another " + PresenceConsumerConfig.HTTP_BIND_ADDRESS.display());
        }
        LOG.info("Serving /metrics, /health/live and /health/ready on {} port {}", c.httpBindAddress(), http.port());
        return http;
    }

    @Command(name = "topics", mixinStandardHelpOptions = true,
            description = "Create the presence topic (compacted), the dead-letter topic and, with raw.topic set,"
                    + " the raw topic (time-based retention) when missing, and check them.")
    static final class Topics implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @Option(names = "--fold", description = "also the device topic that fold reads (device.topic, not compacted)")
        boolean fold;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PresenceConsumerConfig c = config.load();
            try (Admin admin = Admin.create(KafkaClients.admin(c))) {
                String deviceTopic = fold ? FoldSettings.from(c).deviceTopic() : null;
                TopicProvisioner.Plan plan = fold ? c.topicPlan().withDeviceTopic(deviceTopic) : c.topicPlan();
                TopicProvisioner.Result result = new TopicProvisioner(admin).ensure(plan);
                result.created().forEach(t -> spec.commandLine().getOut().println("created " + t));
                result.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
                if (result.created().isEmpty() && result.warnings().isEmpty()) {
                    spec.commandLine().getOut().println("topics " + c.topic() + (fold ? ", " + deviceTopic : "")
                            + c.rawTopic().map(raw -> ", " + raw).orElse("") + " and " + c.dlqTopic()
                            + " are in place");
                }
                return result.warnings().isEmpty() ? 0 : 3;
            }
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Re-apply the topic from a point in time to the live table, up to the end offsets seen at"
                    + " the start. Safe while the service runs: rows never move back in time, and the consumer group"
                    + " is not joined."})
    static final class ReplayCommand implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--from", required = true, paramLabel = "earliest|INSTANT",
                description = "'earliest', or an ISO-8601 instant such as 2026-11-28T09:00:00Z (record timestamps)")
        String from;

        @Override
        public Integer call() throws Exception {
            Instant start;
            try {
                start = "earliest".equalsIgnoreCase(from) ? null : Instant.parse(from);
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--from: expected 'earliest' or an ISO-8601 instant such as 2026-11-28T09:00:00Z, not '" + from + "'");
            }
            PresenceConsumerConfig c = config.load();
            try (HikariDataSource ds = DataSourceFactory.create(c.dbUrl(), c.dbUser(), c.dbPassword(), 2)) {
                migrateIfConfigured(c, ds);
                new Replay(c, PresenceWriter.forServer(ds, new OffsetStore(c.groupId())), FAILURES, out(spec)).run(start);
            }
            return 0;
        }
    }

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = {"Build a fresh table from the beginning of the topic in a shadow table and swap it in"
                    + " atomically (RENAME TABLE). Events the running service applies meanwhile are kept."})
    static final class RebuildCommand implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** sysexits' EX_TEMPFAIL: the rebuild gave up and changed nothing; run it again later. */
        static final int GAVE_UP = 75;

        @Option(names = "--keep-old", description = "keep the replaced table as " + Rebuild.OLD)
        boolean keepOld;

        @Option(names = "--lock-budget", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "longest the running service's writes are held back for the last stretch and the swap;"
                        + " a rebuild that needs longer gives up with exit status " + GAVE_UP + " (default: 10s)")
        Duration lockBudget = Rebuild.DEFAULT_LOCK_BUDGET;

        @Override
        public Integer call() throws Exception {
            PresenceConsumerConfig c = config.load();
            try (HikariDataSource ds = DataSourceFactory.create(c.dbUrl(), c.dbUser(), c.dbPassword(), 2)) {
                migrateIfConfigured(c, ds);
                new Rebuild(c, ds, SqlDialect.of(ds), FAILURES, out(spec), lockBudget).run(keepOld);
            } catch (RebuildAbandonedException e) {
                // the rebuild has said why; only the exit status is left to tell
                return GAVE_UP;
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, exitCodeOnExecutionException = VerifyCommand.TROUBLE,
            exitCodeOnInvalidInput = VerifyCommand.TROUBLE, sortOptions = false,
            description = {"Check the table against the topic: read the topic as the consumer reads it (records it"
                    + " would dead-letter are counted as rejected and skipped), work out the table the rule of which"
                    + " event wins gives, and compare the live table with it, user by user. Changes nothing and joins"
                    + " no consumer group, so it runs beside the service.",
                "",
                "It reads up to the end offsets seen when it starts, and further on a partition where the group"
                    + " (group.id) has stored a position beyond them by the time the table is read, so a table kept"
                    + " up to date by the running service is compared with every record it can show. Positions"
                    + " behind the end offsets are reported: the records after them are not in the table yet and"
                    + " show up as mismatches until the consumer has caught up.",
                "",
                "Each mismatch is one line: the user, what differs (missing row, unexpected row, status, event_ts,"
                    + " source, last_seen), the row expected and the row found. A summary follows.",
                "",
                "A range (--since, --partition) reads less and proves less. With --partition alone every record of"
                    + " the users it names is read (a user's records share one partition), so their rows are"
                    + " compared exactly; rows of users it does not name are not looked at, so a row no record"
                    + " explains is not found. With --since the records before it are not read, and one of them may"
                    + " still decide a row (an older event with a later ts, a deletion): a user's row is only checked"
                    + " to be at least as new as the user's records since then demand, and to be gone when a"
                    + " deletion since then wins over it. A clean range run says the range was applied, not that"
                    + " the table is right.",
                "",
                "Exit status: 0 when the table agrees, 1 when there are mismatches, " + VerifyCommand.TROUBLE
                    + " when it could not tell (bad options or configuration, a broker or database that does not"
                    + " answer)."})
    static final class VerifyCommand implements Callable<Integer> {
        /** Like diff(1): 1 says "they differ", so trouble needs a code of its own. */
        static final int TROUBLE = 2;
        static final int MISMATCHES = 1;

        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--since", paramLabel = "INSTANT|EPOCH_MS", converter = InstantConverter.class,
                description = "read only the records stamped at or after this time (record timestamps): an ISO-8601"
                        + " instant such as 2026-11-28T09:00:00Z, or epoch milliseconds")
        Instant since;

        @Option(names = "--partition", paramLabel = "N", split = ",",
                description = "read only these partitions (repeat, or separate with commas)")
        List<Integer> partitions = List.of();

        @Option(names = "--ignore-last-seen",
                description = "leave last_seen out: bare heartbeats that a compacted topic no longer holds may have"
                        + " raised it")
        boolean ignoreLastSeen;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
                description = "print at most N mismatch lines (default: ${DEFAULT-VALUE}); the summary counts all")
        int limit;

        @Override
        public Integer call() throws Exception {
            if (limit < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit: expected 0 or more, not " + limit);
            }
            PresenceConsumerConfig c = config.load();
            Verify.Result result;
            try (HikariDataSource ds = DataSourceFactory.create(c.dbUrl(), c.dbUser(), c.dbPassword(), 1)) {
                result = new Verify(c, ds, FAILURES, spec.commandLine().getOut(), out(spec))
                        .run(new Verify.Range(since, Set.copyOf(partitions)), !ignoreLastSeen, limit);
            }
            return result.agrees() ? 0 : MISMATCHES;
        }
    }

    /** Reads an ISO-8601 instant, or epoch milliseconds. */
    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return value.chars().allMatch(Character::isDigit) && !value.isEmpty()
                        ? Instant.ofEpochMilli(Long.parseLong(value)) : Instant.parse(value);
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("expected an ISO-8601 instant such as"
                        + " 2026-11-28T09:00:00Z or epoch milliseconds, not '" + value + "'");
            }
        }
    }

    /** Reads {@code 500ms}, {@code 10s}, {@code 2m} or ISO-8601 as a positive duration. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                Duration d = Durations.parse(value);
                if (!d.isNegative() && !d.isZero()) {
                    return d;
                }
            } catch (IllegalArgumentException e) {
                // not a duration at all: the same answer as for a negative one
            }
            throw new CommandLine.TypeConversionException("expected a positive duration such as 10s, not '" + value + "'");
        }
    }

    private static void migrateIfConfigured(PresenceConsumerConfig config, HikariDataSource ds) {
        if (config.migrateOnStart()) {
            SchemaMigrator.migrate(ds);
        }
    }

    private static PrintWriter out(CommandLine.Model.CommandSpec spec) {
        return spec.commandLine().getErr();
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = {"Apply pending schema migrations and exit. Tables of other names in the database are left"
                    + " alone; a table named agent_presences that the consumer did not create stops it, unless"
                    + " --adopt takes it over."})
    static final class Migrate implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption config = new ConfigOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--adopt", description = {"take over the old presence service's agent_presences (userId,"
                + " status, updatedAt): every row is copied into the consumer's table, event_ts from updatedAt, and"
                + " the old table is kept as " + OldTableAdoption.KEPT + " until you drop it. Safe to run again."})
        boolean adopt;

        @Option(names = "--unknown-status", paramLabel = "STATUS", description = {"with --adopt: the configured"
                + " status that old statuses outside the configured set (and NULL) become; without it they stop the"
                + " adoption"})
        String unknownStatus;

        @Option(names = "--old-time-zone", paramLabel = "ZONE", description = {"with --adopt: the time zone the old"
                + " update times were written in, an offset such as +01:00 or a name the database knows"
                + " (default: " + OldTableAdoption.DEFAULT_TIME_ZONE + ")"})
        String oldTimeZone = OldTableAdoption.DEFAULT_TIME_ZONE;

        @Override
        public Integer call() throws Exception {
            if (!adopt && (unknownStatus != null || !OldTableAdoption.DEFAULT_TIME_ZONE.equals(oldTimeZone))) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--unknown-status and --old-time-zone go with --adopt");
            }
            PresenceConsumerConfig c = config.load();
            if (adopt && unknownStatus != null && !c.statuses().contains(unknownStatus)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--unknown-status: expected one of the"
                        + " configured statuses (" + c.statuses() + "), not '" + unknownStatus + "'");
            }
            try (HikariDataSource ds = DataSourceFactory.create(c.dbUrl(), c.dbUser(), c.dbPassword(), 2)) {
                PrintWriter out = spec.commandLine().getOut();
                if (adopt) {
                    new OldTableAdoption(ds, c.statuses(), unknownStatus, oldTimeZone).run().forEach(out::println);
                } else {
                    out.println("schema at version " + SchemaMigrator.migrate(ds));
                }
            }
            return 0;
        }
    }
}
