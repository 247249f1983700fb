package io.agentpresence.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a process's CPU went, by thread, read from Linux's {@code /proc/<pid>/task/<tid>/stat} at every sample. A
 * thread's last reading is kept after it ends, so threads that finish early (the start-up's) still count. Threads are
 * grouped by what they do in the consumer: the poll thread, the writers, the JIT compiler, the garbage collector, the
 * main thread (the start-up), the rest. Elsewhere than on Linux it reads nothing.
 */
final class ThreadCpu {

    /** Group names in the order they are printed; a thread goes to the first whose name pattern matches it. */
    private static final List<Map.Entry<String, String>> GROUPS = List.of(
            Map.entry("poll thread", "presence-consum.*"),
            Map.entry("writer threads", "presence-writer.*"),
            Map.entry("JIT compiler", "C[12] CompilerThre.*"),
            Map.entry("garbage collector", "(GC Thread|G1 |ZGC|Gang|VM Thread).*"),
            Map.entry("main (start-up)", "java|main"),
            Map.entry("Kafka client threads", "kafka-.*"),
            Map.entry("/metrics and health", "(presence-http|HTTP-Dispatcher).*"));
    private static final String OTHER = "other JVM threads";
    /** Linux's clock ticks per second, as good as fixed on every distribution. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Path tasks;
    /** Thread id to (name, ticks) at its last reading. */
    private final Map<String, Map.Entry<String, Long>> last = new HashMap<>();

    ThreadCpu(long pid) {
        this.tasks = Path.of("/proc", String.valueOf(pid), "task");
    }

    void sample() {
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // the name sits in parentheses and may hold spaces; the fields after it are space-separated
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    last.put(task.getFileName().toString(), Map.entry(name, ticks));
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read: its last reading stands
                }
            });
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process has ended: the readings so far stand
        }
    }

    /** CPU seconds per group, in print order, groups without CPU left out. */
    Map<String, Double> byGroup() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        GROUPS.forEach(group -> seconds.put(group.getKey(), 0.0));
        seconds.put(OTHER, 0.0);
        for (Map.Entry<String, Long> thread : last.values()) {
            String group = GROUPS.stream().filter(g -> thread.getKey().matches(g.getValue())).map(Map.Entry::getKey)
                    .findFirst().orElse(OTHER);
            seconds.merge(group, thread.getValue() / TICKS_PER_SECOND, Double::sum);
        }
        seconds.values().removeIf(s -> s == 0.0);
        return seconds;
    }
}
