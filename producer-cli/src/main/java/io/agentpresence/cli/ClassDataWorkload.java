package io.agentpresence.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What a start-up cache of {@code bin/presence} is made from: run once by the build under
 * {@code -XX:ArchiveClassesAtExit} (the class-data-sharing archive for Java 17) and by the launcher under
 * {@code -XX:AOTCacheOutput} (the AOT cache for Java 25 and newer). It is a {@code set} as a user runs it, round
 * trip included, against a {@link StandInBroker} on loopback, so no broker is needed; then a help and a usage error.
 */
public final class ClassDataWorkload {

    private ClassDataWorkload() {
    }

    public static void main(String[] args) throws IOException {
        try (StandInBroker broker = new StandInBroker()) {
            CommandLineRun.run("set", "--bootstrap-servers=" + broker.bootstrapServers(), "--timeout=5s",
                    "agent-cds", "online");
            CommandLineRun.run("heartbeat", "--help");
            CommandLineRun.run("set");
        }
    }

    /** One run of the command line with its output discarded: the classes matter, not what it prints. */
    private static final class CommandLineRun {
        static void run(String... args) {
            picocli.CommandLine cli = PresenceCli.commandLine(new ByteArrayInputStream(new byte[0]));
            cli.setOut(new PrintWriter(new StringWriter()));
            cli.setErr(new PrintWriter(OutputStream.nullOutputStream()));
            cli.execute(args);
        }
    }
}
