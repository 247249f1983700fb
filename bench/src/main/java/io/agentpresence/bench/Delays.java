package io.agentpresence.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Send-to-row delays of the steady run, overall and per window of send time (to tell warm-up from steady state). */
final class Delays {

    /** One window of send time: its start (seconds into the run) and its delay percentiles in milliseconds. */
    record Window(int fromSecond, int events, double p50, double p99, double max) {
    }

    private long[] sentAt = new long[1024];
    private double[] millis = new double[1024];
    private int size;

    void add(long sentAtEpochMs, double delayMillis) {
        if (size == millis.length) {
            sentAt = Arrays.copyOf(sentAt, size * 2);
            millis = Arrays.copyOf(millis, size * 2);
        }
        sentAt[size] = sentAtEpochMs;
        millis[size++] = delayMillis;
    }

    int size() {
        return size;
    }

    /** The {@code p}th percentile (0-100) of all delays, nearest rank; NaN when there are none. */
    double percentile(double p) {
        return percentile(sorted(0, Long.MAX_VALUE), p);
    }

    /** Percentiles per {@code seconds}-long window of send time, from the first event sent. */
    List<Window> windows(int seconds) {
        List<Window> windows = new ArrayList<>();
        if (size == 0) {
            return windows;
        }
        long first = Arrays.stream(sentAt, 0, size).min().orElseThrow();
        long last = Arrays.stream(sentAt, 0, size).max().orElseThrow();
        for (long from = first; from <= last; from += seconds * 1000L) {
            double[] window = sorted(from, from + seconds * 1000L);
            if (window.length > 0) {
                windows.add(new Window((int) ((from - first) / 1000), window.length, percentile(window, 50),
                        percentile(window, 99), percentile(window, 100)));
            }
        }
        return windows;
    }

    private double[] sorted(long fromMs, long toMs) {
        double[] out = new double[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (sentAt[i] >= fromMs && sentAt[i] < toMs) {
                out[n++] = millis[i];
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
