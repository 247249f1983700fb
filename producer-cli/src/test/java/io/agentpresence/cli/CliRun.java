package io.agentpresence.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** One run of the {@code presence} command with captured output, as a script would see it. */
record CliRun(int exitCode, String out, String err, long millis) {

    static CliRun run(String... args) {
        return withStdin("", args);
    }

    static CliRun withStdin(String stdin, String... args) {
        return run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    static CliRun run(InputStream stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PresenceCli.commandLine(stdin);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();
        int exitCode = cli.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString(), (System.nanoTime() - start) / 1_000_000);
    }
}
