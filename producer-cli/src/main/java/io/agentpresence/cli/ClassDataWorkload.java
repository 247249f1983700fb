package io.agentpresence.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * What the build runs once under {@code -XX:ArchiveClassesAtExit} to make the class-data-sharing archive that
 * {@code bin/presence} starts with: a {@code set} as a user runs it, up to the producer's first request, against
 * a loopback socket that accepts the connection and never answers. No broker is needed to build.
 */
public final class ClassDataWorkload {

    private ClassDataWorkload() {
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> swallow(silent), "presence-cds-silent-broker");
            acceptor.setDaemon(true);
            acceptor.start();
            CommandLineRun.run("set", "--bootstrap-servers=127.0.0.1:" + silent.getLocalPort(), "--timeout=1s",
                    "agent-cds", "online");
            CommandLineRun.run("heartbeat", "--help");
            CommandLineRun.run("set");
        }
    }

    /** Accepts connections and reads what the producer sends, so its requests are built and written in full. */
    private static void swallow(ServerSocket silent) {
        byte[] buffer = new byte[8192];
        while (!silent.isClosed()) {
            try (Socket connection = silent.accept(); InputStream in = connection.getInputStream()) {
                while (in.read(buffer) >= 0) {
                    // discard: this broker never answers
                }
            } catch (IOException e) {
                // the workload is over or the producer hung up; either way accept the next one or stop
            }
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
