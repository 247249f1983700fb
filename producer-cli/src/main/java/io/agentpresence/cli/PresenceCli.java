package io.agentpresence.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The {@code presence} command: publishes presence events to Kafka by hand or from scripts. Exit codes: 0 done,
 * 1 the broker could not be reached or did not acknowledge in time, 2 bad usage or an invalid event.
 */
@Command(name = "presence",
        description = "Publish agent presence events to Kafka, keyed by userId.",
        subcommands = {SetCommand.class, HeartbeatCommand.class, DeleteCommand.class, BulkCommand.class,
                HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the broker could not be reached or did not acknowledge in time",
                "2:bad usage or an invalid event"})
public final class PresenceCli {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_INVALID = 2;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private final InputStream stdin;

    PresenceCli(InputStream stdin) {
        this.stdin = Objects.requireNonNull(stdin, "stdin");
    }

    /** What {@code -} reads; a field rather than {@code System.in} so tests can feed it. */
    InputStream stdin() {
        return stdin;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.in).execute(args));
    }

    /** The fully configured command line; tests call {@code setOut}/{@code setErr} on it to capture output. */
    public static CommandLine commandLine(InputStream stdin) {
        CommandLine cli = new CommandLine(new PresenceCli(stdin));
        cli.setExecutionExceptionHandler(new FailureHandler());
        cli.setParameterExceptionHandler(PresenceCli::usageError);
        // options that would do nothing there: a tombstone carries no status, a heartbeat goes to --device-topic
        withoutOption(cli.getSubcommands().get("delete"), "--statuses");
        withoutOption(cli.getSubcommands().get("heartbeat"), "--topic");
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().usageMessage().abbreviateSynopsis(true));
        return cli;
    }

    private static void withoutOption(CommandLine subcommand, String name) {
        CommandSpec spec = subcommand.getCommandSpec();
        spec.remove(spec.findOption(name));
    }

    /** A usage error in three lines: what is wrong, the short usage, and where the full help is. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println(e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.print(cli.getHelp().fullSynopsis());
        err.printf("Try '%s --help' for more information.%n", cli.getCommandSpec().qualifiedName());
        err.flush();
        return EXIT_INVALID;
    }

    /** Reports a failure of a running subcommand as one line; the stack trace only with {@code --verbose}. */
    private static final class FailureHandler implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cli, ParseResult parseResult) {
            PrintWriter err = cli.getErr();
            if (e instanceof PublishFailedException) {
                err.println("presence: " + e.getMessage());
            } else {
                err.println("presence: unexpected error: " + PublishSession.describe(e));
            }
            if (verbose(parseResult)) {
                e.printStackTrace(err);
            }
            err.flush();
            return EXIT_FAILED;
        }

        private static boolean verbose(ParseResult parseResult) {
            ParseResult leaf = parseResult;
            while (leaf.hasSubcommand()) {
                leaf = leaf.subcommand();
            }
            return leaf.hasMatchedOption("--verbose");
        }
    }
}
