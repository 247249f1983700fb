package io.agentpresence.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * CPU time of the processes sharing the machine during a run: this JVM (which hosts the broker), and the
 * local database server when one runs here. Read from the operating system, so the figures add up to where
 * the machine's cores went.
 */
final class CpuMeter {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Optional<ProcessHandle> database = ProcessHandle.allProcesses()
            .filter(p -> p.info().command().map(c -> c.endsWith("/mariadbd") || c.endsWith("/mysqld")).orElse(false))
            .findFirst();
    private long benchStart;
    private long databaseStart;

    void start() {
        benchStart = os.getProcessCpuTime();
        databaseStart = databaseCpuNanos();
    }

    /** Seconds of CPU this JVM (broker, producer, measurement) used since {@link #start()}. */
    double benchSeconds() {
        return (os.getProcessCpuTime() - benchStart) / 1e9;
    }

    /** Seconds of CPU the local database server used since {@link #start()}; NaN when none runs here. */
    double databaseSeconds() {
        return database.isEmpty() ? Double.NaN : (databaseCpuNanos() - databaseStart) / 1e9;
    }

    private long databaseCpuNanos() {
        if (database.isEmpty()) {
            return 0;
        }
        Optional<java.time.Duration> cpu = database.get().info().totalCpuDuration();
        if (cpu.isPresent()) {
            return cpu.get().toNanos();
        }
        // another user's process: the JDK will not say, but /proc does (fields 14 and 15, in clock ticks)
        try {
            String[] stat = Files.readString(Path.of("/proc", String.valueOf(database.get().pid()), "stat")).split(" ");
            return (Long.parseLong(stat[13]) + Long.parseLong(stat[14])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
