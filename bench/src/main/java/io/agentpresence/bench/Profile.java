package io.agentpresence.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the consumer's Java threads spend their time, from a JFR recording ({@code bench/run --profile}): each
 * execution sample goes to the code area of its innermost frame that belongs to one (a sort counts as the sort
 * wherever it is called from), and to the thread that ran it. JFR samples Java code only: the JIT compiler and the
 * garbage collector are in the by-thread CPU line instead.
 */
final class Profile {

    /** Code areas, tried in this order on each frame from the innermost out. */
    private static final Map<String, Predicate<String>> AREAS = new LinkedHashMap<>();

    static {
        AREAS.put("JSON decode + validation (Jackson, the codec)",
                c -> c.startsWith("com.fasterxml.jackson.") || c.startsWith("io.agentpresence.model."));
        AREAS.put("writer statements (upsert text, literals)",
                c -> c.endsWith(".PresenceUpsert") || c.endsWith(".SqlLiterals"));
        AREAS.put("metrics (Micrometer, Prometheus)", c -> c.startsWith("io.micrometer.") || c.startsWith("io.prometheus.")
                || c.startsWith("org.HdrHistogram.") || c.endsWith(".PresenceMetrics"));
        AREAS.put("JDBC (Connector/J, HikariCP)", c -> c.startsWith("com.mysql.") || c.startsWith("com.zaxxer."));
        AREAS.put("Kafka client", c -> c.startsWith("org.apache.kafka."));
        AREAS.put("coalescing (buffer)", c -> c.contains(".sink.PresenceBuffer") || c.endsWith(".PresenceChange"));
        AREAS.put("decode glue (PendingBatch, RecordDecoder)",
                c -> c.endsWith(".PendingBatch") || c.endsWith(".RecordDecoder"));
        AREAS.put("logging", c -> c.startsWith("ch.qos.logback.") || c.startsWith("org.slf4j."));
        AREAS.put("consumer, other", c -> c.startsWith("io.agentpresence."));
    }

    private static final String SORT = "sort (lock order)";
    private static final String JDK = "JDK and other";
    private static final List<Map.Entry<String, String>> THREADS = List.of(
            Map.entry("poll thread", "presence-consumer"),
            Map.entry("writer threads", "presence-writer-.*"),
            Map.entry("start-up (main)", "main"),
            Map.entry("/metrics", "presence-http-.*|HTTP-Dispatcher"));
    private static final String OTHER_THREADS = "Kafka and JVM threads";

    private Profile() {
    }

    /** The samples of {@code recording} as a Markdown table: code area by thread, in per cent of all samples. */
    static String table(Path recording) throws IOException {
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        int total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            String thread = threadGroup(event.getThread("sampledThread").getJavaName());
            counts.computeIfAbsent(area(event.getStackTrace().getFrames()), a -> new LinkedHashMap<>())
                    .merge(thread, 1, Integer::sum);
            total++;
        }
        List<String> columns = new java.util.ArrayList<>(THREADS.stream().map(Map.Entry::getKey).toList());
        columns.add(OTHER_THREADS);
        StringBuilder b = new StringBuilder("| code area | all | ").append(String.join(" | ", columns)).append(" |\n|---|---|");
        columns.forEach(c -> b.append("---|"));
        b.append('\n');
        Map<String, Integer> byThread = new LinkedHashMap<>();
        final int all = total;
        counts.entrySet().stream()
                .sorted((x, y) -> Integer.compare(sum(y.getValue()), sum(x.getValue())))
                .forEach(area -> {
                    b.append("| ").append(area.getKey()).append(" | ").append(percent(sum(area.getValue()), all));
                    columns.forEach(c -> b.append(" | ").append(area.getValue().containsKey(c)
                            ? percent(area.getValue().get(c), all) : ""));
                    b.append(" |\n");
                    area.getValue().forEach((t, n) -> byThread.merge(t, n, Integer::sum));
                });
        b.append("| **all** | 100 %");
        columns.forEach(c -> b.append(" | ").append(percent(byThread.getOrDefault(c, 0), all)));
        b.append(" |\n\n").append(total).append(" samples\n");
        return b.toString();
    }

    private static String area(List<RecordedFrame> frames) {
        if (frames.stream().map(f -> f.getMethod().getType().getName()).anyMatch(type ->
                type.startsWith("java.util.TimSort") || type.startsWith("java.util.ComparableTimSort")
                        || type.endsWith(".sink.LockOrder"))) {
            return SORT;
        }
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (Map.Entry<String, Predicate<String>> area : AREAS.entrySet()) {
                if (area.getValue().test(type)) {
                    return area.getKey();
                }
            }
        }
        return JDK;
    }

    private static String threadGroup(String name) {
        return THREADS.stream().filter(t -> name != null && name.matches(t.getValue())).map(Map.Entry::getKey)
                .findFirst().orElse(OTHER_THREADS);
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String percent(int n, int total) {
        return String.format(Locale.ROOT, "%.0f %%", 100.0 * n / total);
    }
}
