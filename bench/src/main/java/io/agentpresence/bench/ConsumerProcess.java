package io.agentpresence.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The consumer under test, as users run it: the service jar in its own JVM with a fixed heap. Its own
 * {@code /metrics} give progress and heap use; the operating system gives its CPU time.
 */
final class ConsumerProcess implements AutoCloseable {

    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$",
            Pattern.MULTILINE);

    private final Process process;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<long[]> samples = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private long peakHeap;
    private long rowsWritten;
    private double cpuSeconds = Double.NaN;
    private final ThreadCpu threads;

    ConsumerProcess(Path java, Path jar, String heap, List<String> jvmOptions, Map<String, String> env, Path log)
            throws IOException {
        this.httpPort = freePort();
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx" + heap, "-Xms" + heap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "run"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("PRESENCE_"));
        pb.environment().putAll(env);
        pb.environment().put("PRESENCE_HTTP_PORT", String.valueOf(httpPort));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        this.process = pb.start();
        this.threads = new ThreadCpu(process.pid());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Scrapes the consumer once: records consumed so far (-1 while it is not up), and heap in use. */
    long sample() {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            long heap = 0;
            Matcher m = HEAP.matcher(body);
            while (m.find()) {
                heap += (long) Double.parseDouble(m.group(1));
            }
            peakHeap = Math.max(peakHeap, heap);
            long consumed = (long) value(body, "presence_events_consumed_total");
            rowsWritten = (long) value(body, "presence_rows_written_total");
            // the operating system forgets a process's CPU time once it has exited: read it while it runs
            process.info().totalCpuDuration().ifPresent(d -> cpuSeconds = d.toMillis() / 1000.0);
            threads.sample();
            samples.add(new long[] {System.nanoTime() - startNanos, consumed});
            return consumed;
        } catch (IOException | RuntimeException e) {
            // not listening yet (starting) or already gone: no sample this time
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static double value(String body, String name) {
        Matcher m = Pattern.compile("^" + name + "(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE).matcher(body);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** CPU time of the consumer's JVM (user + system) as of the last sample. */
    double cpuSeconds() {
        return cpuSeconds;
    }

    /** CPU seconds by thread group (poll thread, writers, JIT, GC, start-up, ...) as of the last sample. */
    Map<String, Double> cpuByThread() {
        return threads.byGroup();
    }

    /** Rows inserted, updated or deleted, as of the last sample. */
    long rowsWritten() {
        return rowsWritten;
    }

    long peakHeapBytes() {
        return peakHeap;
    }

    /** (nanoseconds since start, records consumed) pairs, one per sample. */
    List<long[]> samples() {
        return samples;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
