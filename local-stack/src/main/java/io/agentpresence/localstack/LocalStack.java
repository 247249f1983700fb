package io.agentpresence.localstack;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar local-stack/target/presence-dev.jar}: the whole pipeline on one machine, in one command. Starts an
 * embedded KRaft broker and an embedded MariaDB (each replaceable by a running one), runs the consumer against
 * them, and stops it all in order on Ctrl-C or SIGTERM. State is kept in the data directory across restarts.
 */
@Command(name = "presence-dev", mixinStandardHelpOptions = true, version = "presence-dev 0.1.0", sortOptions = false,
        description = {"Runs an embedded Kafka broker, an embedded MariaDB, the presence consumer",
                "and the fold (devices into users) on this machine; says it is up once all are.",
                "State is kept in the data directory across restarts; Ctrl-C or SIGTERM stops everything."},
        footerHeading = "%nEnvironment:%n",
        footer = {"  PRESENCE_BOOTSTRAP_SERVERS   use this broker instead of starting one",
                "  PRESENCE_DB_URL              use this database instead of starting one",
                "                               (with PRESENCE_DB_USER, PRESENCE_DB_PASSWORD)",
                "  PRESENCE_*                   other consumer and fold settings (PRESENCE_TOPIC, PRESENCE_DEVICE_TTL,",
                "                               PRESENCE_KAFKA_*, ...)"})
public final class LocalStack implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    static final int EXIT_FAILED = 1;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:PRESENCE_DEV_DATA_DIR}",
            description = "Where the broker, the database and the fold keep their data: DIR/kafka, DIR/mariadb, "
                    + "DIR/fold-state, about 400 MB, mostly the MariaDB binaries (env PRESENCE_DEV_DATA_DIR). "
                    + "Default: ./data, or ~/.agent-presence/data when the working directory lies in the system "
                    + "temp folder")
    Path dataDir;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "${env:PRESENCE_DEV_KAFKA_PORT:-9092}",
            description = "Port of the embedded broker (env PRESENCE_DEV_KAFKA_PORT). Default: ${DEFAULT-VALUE}")
    int kafkaPort;

    @Option(names = "--kafka-controller-port", paramLabel = "PORT",
            defaultValue = "${env:PRESENCE_DEV_KAFKA_CONTROLLER_PORT:-9093}",
            description = "Port of the embedded broker's KRaft controller (env PRESENCE_DEV_KAFKA_CONTROLLER_PORT). "
                    + "Default: ${DEFAULT-VALUE}")
    int kafkaControllerPort;

    @Option(names = "--db-port", paramLabel = "PORT", defaultValue = "${env:PRESENCE_DEV_DB_PORT:-3307}",
            description = "Port of the embedded MariaDB (env PRESENCE_DEV_DB_PORT). Default: ${DEFAULT-VALUE}")
    int dbPort;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new LocalStack()).setExecutionExceptionHandler((e, cli, parsed) -> {
            // an expected failure carries its own explanation; the stack trace would only bury it
            cli.getErr().println("presence-dev: " + (e instanceof StackException ? e.getMessage() : Failures.describe(e)));
            LOG.debug("Start-up failed", e);
            return EXIT_FAILED;
        });
    }

    @Override
    public Integer call() throws InterruptedException {
        RunningStack stack = RunningStack.start(
                new StackSettings(dataDir != null ? dataDir : StackSettings.defaultDataDir(), kafkaPort,
                        kafkaControllerPort, dbPort, System.getenv()));
        // the ordered stop for exits without a signal we handle (SIGHUP, System.exit elsewhere)
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "presence-dev-shutdown"));
        ShutdownSignals.onInterruptOrTerminate(signal -> {
            LOG.info("{} received: stopping the fold, the consumer, then the broker, then the database", signal);
            stack.close();
        });
        spec.commandLine().getOut().print(Banner.render(stack));
        spec.commandLine().getOut().flush();

        stack.awaitConsumerTermination();
        if (stack.closing()) {
            // returns once the signal's close has finished, so the JVM exits only after everything stopped
            stack.close();
            return 0;
        }
        LOG.error("The consumer stopped by itself; stopping the stack");
        stack.close();
        return EXIT_FAILED;
    }
}
