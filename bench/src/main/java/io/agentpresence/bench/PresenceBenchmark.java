package io.agentpresence.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.SchemaMigrator;
import io.agentpresence.embedded.EmbeddedKafkaBroker;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresencePublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench/run}: the standard workload (events produced first, then the consumer jar starts on an empty
 * table and the clock runs until every record is applied), a plain batched consumer and a time-boxed naive baseline
 * on the same topic, and a steady-rate run for send-to-row delay. Prints a table and writes an HTML report.
 */
@Command(name = "bench/run", mixinStandardHelpOptions = true,
        description = "End-to-end benchmark of the presence consumer against a plain batched consumer and a naive"
                + " per-event baseline.")
public final class PresenceBenchmark implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "1000000", description = "events in the standard workload")
    int events;
    @Option(names = "--users", defaultValue = "100000", description = "distinct users they are spread over")
    int users;
    @Option(names = "--partitions", defaultValue = "6", description = "partitions of the topics")
    int partitions;
    @Option(names = "--max-poll-records", defaultValue = "5000", description = "the consumer's batch size")
    int maxPollRecords;
    @Option(names = "--heap", defaultValue = "256m", description = "the consumer's -Xmx")
    String heap;
    @Option(names = "--existing-rows", defaultValue = "0", description = "rows put in the table before the run")
    int existingRows;
    @Option(names = "--baseline-seconds", defaultValue = "30", description = "time box of the naive baseline")
    int baselineSeconds;
    @Option(names = "--rate", defaultValue = "2000", description = "events/s of the steady run; 0 skips it")
    int rate;
    @Option(names = "--steady-seconds", defaultValue = "30", description = "length of the steady run")
    int steadySeconds;
    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "seconds at the steady rate before the measured part, reported apart (JIT warm-up)")
    int warmupSeconds;
    @Option(names = "--skip-plain", description = "leave out the plain batched consumer")
    boolean skipPlain;
    @Option(names = "--quick", description = "a quick comparison in about two minutes: 200,000 events over 20,000"
            + " users, a 10 s naive baseline, no steady run; options given as well still apply")
    boolean quick;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--skip-standard", description = "run only the steady run")
    boolean skipStandard;
    @Option(names = "--consumer-jar", defaultValue = "consumer/target/presence-consumer.jar")
    Path consumerJar;
    @Option(names = "--consumer-java", description = "the java that runs the consumer and the plain batched consumer;"
            + " default: the one running the benchmark")
    Path consumerJava = Path.of(System.getProperty("java.home"), "bin", "java");
    /** The JVM options the Dockerfile runs the service with: the consumer is measured as it is deployed. */
    @Option(names = "--service-jvm-options", defaultValue = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC", split = " ",
            description = "the service's own JVM options, as in the Dockerfile (default: ${DEFAULT-VALUE}, and the"
                    + " class-data-sharing archive the build made beside the jar; empty for none)")
    List<String> serviceJvmOptions = new ArrayList<>();
    @Option(names = "--consumer-env", paramLabel = "NAME=VALUE", description = "an environment variable of the"
            + " consumer, e.g. PRESENCE_KAFKA_GROUP_PROTOCOL=consumer; repeatable")
    Map<String, String> consumerEnv = new HashMap<>();
    @Option(names = "--consumer-jvm-option", description = "extra JVM option of the consumer, e.g."
            + " -XX:StartFlightRecording=filename=bench/target/consumer.jfr to profile it; repeatable")
    List<String> consumerJvmOptions = new ArrayList<>();
    @Option(names = "--plain-jvm-option", description = "JVM option of the plain batched consumer (default: the"
            + " JVM's defaults, as a team would run it), e.g. the service's -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
            + " to see what they give it; repeatable")
    List<String> plainJvmOptions = new ArrayList<>();
    @Option(names = "--report", defaultValue = "bench/target/bench-report.html", description = "HTML report")
    Path reportFile;
    @Option(names = "--profile", description = "record the consumer of the standard workload with JFR (a Java sample"
            + " every 2 ms) and print where its threads spend their time, by code area")
    boolean profile;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PresenceBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            quickDefaults();
        }
        // --service-jvm-options= (empty) measures the consumer without them
        List<String> service = new ArrayList<>(serviceJvmOptions.stream().filter(o -> !o.isBlank()).toList());
        service.addAll(serviceArchive());
        consumerJvmOptions.addAll(0, service);
        if (!Files.isRegularFile(consumerJar)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "no consumer jar at " + consumerJar
                    + "; build it with ./mvnw -B -q package -DskipTests");
        }
        Path work = Files.createDirectories(reportFile.toAbsolutePath().getParent().resolve("bench-work"));
        String id = UUID.randomUUID().toString().substring(0, 8);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
             BenchDatabase db = BenchDatabase.pick(work)) {
            String environment = String.format(Locale.ROOT, "%d cores, %s, Java %s (consumer: %s %s); broker,"
                    + " database and consumer on one machine; database: %s", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"), System.getProperty("java.version"), consumerJava,
                    String.join(" ", consumerJvmOptions), db.description())
                    + (plainJvmOptions.isEmpty() ? "" : "; plain consumer: " + String.join(" ", plainJvmOptions));
            System.err.println("bench: " + environment);
            Report.Standard standard = skipStandard ? null : standard(broker.bootstrapServers(), db, work, id);
            Report.Steady steady = rate > 0 ? steady(broker.bootstrapServers(), db, work, id) : null;
            String text = Report.text(environment, standard, steady);
            System.out.print(text);
            Report.html(reportFile, text, standard, steady);
            System.out.println("report: " + reportFile);
            boolean correct = (standard == null || standard.mismatches() == 0
                && (standard.plain() == null || standard.plain().mismatches() == 0)) && (steady == null || steady.mismatches() == 0);
            return correct ? 0 : 1;
        }
    }

    /**
     * The class-data-sharing archive the build made beside the jar, which bin/presence-consumer and the image start
     * the service with; only with the default service options, so that --service-jvm-options measures without it. A
     * JVM other than the one that made it ignores it without a word.
     */
    private List<String> serviceArchive() {
        Path archive = consumerJar.resolveSibling("presence-consumer.jsa");
        if (spec.commandLine().getParseResult().hasMatchedOption("--service-jvm-options")
                || !Files.isRegularFile(archive)) {
            return List.of();
        }
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    private void quickDefaults() {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        events = given.hasMatchedOption("--events") ? events : 200_000;
        users = given.hasMatchedOption("--users") ? users : 20_000;
        baselineSeconds = given.hasMatchedOption("--baseline-seconds") ? baselineSeconds : 10;
        rate = given.hasMatchedOption("--rate") ? rate : 0;
    }

    private Report.Standard standard(String bootstrap, BenchDatabase db, Path work, String id) throws Exception {
        String topic = "bench-" + id;
        Workload.createTopic(bootstrap, topic, partitions);
        Workload workload = new Workload(events, users);
        System.err.printf(Locale.ROOT, "bench: producing %,d events over %,d users...%n", events, users);
        long produceMs = workload.produce(bootstrap, topic);
        System.err.printf(Locale.ROOT, "bench: produced in %.1f s%n", produceMs / 1000.0);

        String url = prepare(db, "bench_std_" + id);
        String group = "bench-" + id;
        Verifier verifier = new Verifier(url, db.user(), db.password());
        double seconds;
        double firstRow = Double.NaN;
        ConsumerProcess consumer;
        CpuMeter cpu = new CpuMeter();
        Path recording = work.resolve("consumer-standard-" + id + ".jfr");
        List<String> jvmOptions = new ArrayList<>(consumerJvmOptions);
        if (profile) {
            jvmOptions.add("-XX:StartFlightRecording=filename=" + recording + ",settings=profile,jdk.ExecutionSample#period=2ms");
        }
        try (ConsumerProcess c = new ConsumerProcess(consumerJava, consumerJar, heap, jvmOptions, env(bootstrap, url, db, topic, group),
                work.resolve("consumer-standard-" + id + ".log"))) {
            consumer = c;
            cpu.start();
            long start = System.nanoTime();
            long lastPrint = start;
            long lastSample = start;
            for (long applied; (applied = verifier.appliedPositions(group)) < events; ) {
                if (applied > 0 && Double.isNaN(firstRow)) {
                    firstRow = (System.nanoTime() - start) / 1e9;
                }
                if (!c.isAlive()) {
                    throw new IllegalStateException("the consumer exited; see " + work.resolve("consumer-standard-" + id + ".log"));
                }
                // a scrape costs the consumer CPU (its /metrics page is rendered): once a second is enough
                if (System.nanoTime() - lastSample > TimeUnit.SECONDS.toNanos(1)) {
                    lastSample = System.nanoTime();
                    long consumed = c.sample();
                    if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(2)) {
                        lastPrint = System.nanoTime();
                        System.err.printf(Locale.ROOT, "bench: consumer at %,d of %,d records%n", Math.max(0, consumed),
                                events);
                    }
                }
                // finely until the first row shows, so the start-up is timed to within 50 ms
                Thread.sleep(Double.isNaN(firstRow) ? 50 : 250);
            }
            seconds = (System.nanoTime() - start) / 1e9;
            c.sample();
        }
        double benchCpu = cpu.benchSeconds();
        double databaseCpu = cpu.databaseSeconds();
        long rows = consumer.rowsWritten();
        long mismatches = verifier.mismatches(workload);
        System.err.printf(Locale.ROOT, "bench: consumer done in %.1f s%n", seconds);
        String profileTable = profile ? Profile.table(recording) : null;
        db.drop("bench_std_" + id);
        Report.Plain plain = skipPlain ? null : plain(bootstrap, db, topic, id, workload);
        System.err.printf(Locale.ROOT, "bench: naive baseline for up to %d s...%n", baselineSeconds);
        String naiveUrl = prepare(db, "bench_naive_" + id);
        NaiveBaseline.Result naive = NaiveBaseline.run(bootstrap, topic, naiveUrl, db.user(), db.password(), events,
                Duration.ofSeconds(baselineSeconds));
        db.drop("bench_naive_" + id);
        return new Report.Standard(events, users, partitions, maxPollRecords, seconds, firstRow, rows,
                consumer.cpuSeconds(), benchCpu, databaseCpu, consumer.peakHeapBytes(), mismatches, plain, naive.rate(),
                naive.events(), consumer.samples(), consumer.cpuByThread(), profileTable);
    }

    /** The plain batched consumer on the same topic, into a table of its own, from its start to the last record. */
    private Report.Plain plain(String bootstrap, BenchDatabase db, String topic, String id, Workload workload)
            throws Exception {
        System.err.println("bench: plain batched consumer...");
        String url = prepare(db, "bench_plain_" + id);
        CpuMeter cpu = new CpuMeter();
        cpu.start();
        PlainBaseline.Result r = PlainBaseline.run(consumerJava, heap, plainJvmOptions, bootstrap, topic, url, db.user(),
                db.password(), events, maxPollRecords);
        double databaseCpu = cpu.databaseSeconds();
        long mismatches = new Verifier(url, db.user(), db.password()).mismatches(workload);
        db.drop("bench_plain_" + id);
        System.err.printf(Locale.ROOT, "bench: plain batched consumer done in %.1f s%n", r.seconds());
        return new Report.Plain(r.seconds(), r.firstRowSeconds(), r.cpuSeconds(), databaseCpu, r.peakHeapBytes(),
                mismatches);
    }

    private static final String WARMUP_PREFIX = "warmup-";
    private static final String STEADY_PREFIX = "steady-";

    private Report.Steady steady(String bootstrap, BenchDatabase db, Path work, String id) throws Exception {
        String topic = "steady-" + id;
        Workload.createTopic(bootstrap, topic, partitions);
        String url = prepare(db, "bench_steady_" + id);
        String group = "steady-" + id;
        Verifier verifier = new Verifier(url, db.user(), db.password());
        long sent = 0;
        try (ConsumerProcess c = new ConsumerProcess(consumerJava, consumerJar, heap, consumerJvmOptions, env(bootstrap, url, db, topic, group),
                work.resolve("consumer-steady-" + id + ".log"));
             PresencePublisher publisher = new PresencePublisher(Map.of("bootstrap.servers", bootstrap, "linger.ms", 0),
                     topic, new PresenceEventCodec())) {
            while (c.sample() < 0) {
                Thread.sleep(100);
            }
            // let the consumer join its group and fetch once before the clock matters
            Thread.sleep(3_000);
            System.err.printf(Locale.ROOT, "bench: steady run, %,d events/s for %d s after a %d s warm-up...%n", rate,
                    steadySeconds, warmupSeconds);
            long start = System.nanoTime();
            long warmup = (long) rate * warmupSeconds;
            long total = warmup + (long) rate * steadySeconds;
            for (long i = 0; i < total; i++) {
                long due = start + i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                publisher.publish(PresenceEvent.now((i < warmup ? WARMUP_PREFIX : STEADY_PREFIX) + i, "online", "bench"));
                sent++;
            }
            publisher.flush();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (verifier.appliedPositions(group) < sent && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        Delays delays = verifier.delays(STEADY_PREFIX);
        Delays warmup = verifier.delays(WARMUP_PREFIX);
        long mismatches = sent - delays.size() - warmup.size();
        db.drop("bench_steady_" + id);
        return new Report.Steady(rate, steadySeconds, delays.size(), delays.percentile(50), delays.percentile(99),
                delays.percentile(100), Math.abs(mismatches), delays.windows(5), delays.windows(1), warmupSeconds,
                warmup.percentile(99));
    }

    private String prepare(BenchDatabase db, String name) throws Exception {
        String url = db.create(name);
        try (HikariDataSource ds = DataSourceFactory.create(url, db.user(), db.password(), 2)) {
            SchemaMigrator.migrate(ds);
            if (existingRows > 0 && name.startsWith("bench_std")) {
                System.err.printf(Locale.ROOT, "bench: filling the table with %,d existing rows...%n", existingRows);
                ExistingRows.fill(ds, existingRows);
            }
        }
        return url;
    }

    private Map<String, String> env(String bootstrap, String url, BenchDatabase db, String topic, String group) {
        Map<String, String> env = new HashMap<>();
        env.put("PRESENCE_BOOTSTRAP_SERVERS", bootstrap);
        env.put("PRESENCE_DB_URL", url);
        env.put("PRESENCE_DB_USER", db.user());
        env.put("PRESENCE_DB_PASSWORD", db.password());
        env.put("PRESENCE_TOPIC", topic);
        env.put("PRESENCE_DLQ_TOPIC", topic + ".dlq");
        env.put("PRESENCE_GROUP_ID", group);
        env.put("PRESENCE_MAX_POLL_RECORDS", String.valueOf(maxPollRecords));
        env.put("PRESENCE_POLL_TIMEOUT", "100ms");
        env.putAll(consumerEnv);
        return env;
    }
}
