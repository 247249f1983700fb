package io.agentpresence.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results as a text table and as a self-contained HTML page with SVG charts. */
final class Report {

    record Standard(int events, int users, int partitions, int maxPollRecords, double seconds, double firstRowSeconds,
                    long rowsWritten, double cpuSeconds, double brokerCpuSeconds, double databaseCpuSeconds,
                    long peakHeapBytes, long mismatches, Plain plain, double baselineRate, long baselineEvents,
                    List<long[]> samples, Map<String, Double> cpuByThread, String profile) {
        double rate() {
            return events / seconds;
        }

        double plainRate() {
            return plain == null ? Double.NaN : events / plain.seconds();
        }
    }

    /** The plain batched consumer's run on the same topic. */
    record Plain(double seconds, double firstRowSeconds, double cpuSeconds, double databaseCpuSeconds,
                 long peakHeapBytes, long mismatches) {
    }

    record Steady(int rate, int seconds, long events, double p50, double p99, double max, long mismatches,
                  List<Delays.Window> fiveSecondWindows, List<Delays.Window> secondWindows, int warmupSeconds,
                  double warmupP99) {
    }

    static String text(String environment, Standard s, Steady steady) {
        StringBuilder b = new StringBuilder();
        b.append("presence benchmark — ").append(environment).append('\n');
        if (s != null) {
            b.append(String.format(Locale.ROOT, "standard workload: %,d events, %,d users, %d partitions, "
                    + "max.poll.records %d%n", s.events(), s.users(), s.partitions(), s.maxPollRecords()));
            b.append(String.format(Locale.ROOT, "  %-44s %,12.0f events/s  (%,d events in %.1f s, start-up included)%n",
                    "consumer (this project)", s.rate(), s.events(), s.seconds()));
            b.append(String.format(Locale.ROOT, "  %-44s %12.1f s  (then %,.0f events/s)%n", "  first row after start",
                    s.firstRowSeconds(), s.events() / (s.seconds() - s.firstRowSeconds())));
            b.append(String.format(Locale.ROOT, "  %-44s %,12.0f rows/s%n", "  rows written (inserted + updated)",
                    s.rowsWritten() / s.seconds()));
            b.append(String.format(Locale.ROOT, "  %-44s %,12.0f events/s  (%,d events, time-boxed)%n",
                    "naive baseline (1 autocommitted upsert/event)", s.baselineRate(), s.baselineEvents()));
            if (s.plain() != null) {
                Plain p = s.plain();
                b.append(String.format(Locale.ROOT, "  %-44s %,12.0f events/s  (%.1f s; first row %.1f s, then %,.0f"
                        + " events/s; CPU %.1f s, MariaDB CPU %.1f s, peak heap %.0f MB; %d mismatches)%n",
                        "plain batched (1 upsert + commit per poll)", s.plainRate(), p.seconds(), p.firstRowSeconds(),
                        s.events() / (p.seconds() - p.firstRowSeconds()), p.cpuSeconds(), p.databaseCpuSeconds(),
                        p.peakHeapBytes() / 1e6, p.mismatches()));
                b.append(String.format(Locale.ROOT, "  %-44s %12.2fx%n", "ratio to the plain batched consumer",
                        s.rate() / s.plainRate()));
            }
            b.append(String.format(Locale.ROOT, "  %-44s %12.1fx%n", "ratio to the naive baseline",
                    s.rate() / s.baselineRate()));
            b.append(String.format(Locale.ROOT, "  %-44s %12.1f s  (%.2f ms per 1,000 events)%n", "consumer CPU",
                    s.cpuSeconds(), s.cpuSeconds() * 1e6 / s.events()));
            if (!s.cpuByThread().isEmpty()) {
                b.append(String.format(Locale.ROOT, "  %-44s %s%n", "  by thread", String.join(", ",
                        s.cpuByThread().entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(),
                                e.getValue())).toList())));
            }
            b.append(String.format(Locale.ROOT, "  %-44s %12.1f s%n", "broker + benchmark JVM CPU", s.brokerCpuSeconds()));
            b.append(String.format(Locale.ROOT, "  %-44s %12.1f s%n", "database server CPU", s.databaseCpuSeconds()));
            b.append(String.format(Locale.ROOT, "  %-44s %12.1f s  (%d cores x %.1f s)%n", "CPU available",
                    Runtime.getRuntime().availableProcessors() * s.seconds(), Runtime.getRuntime().availableProcessors(),
                    s.seconds()));
            b.append(String.format(Locale.ROOT, "  %-44s %12.1f MB%n", "consumer peak heap", s.peakHeapBytes() / 1e6));
            b.append(String.format(Locale.ROOT, "  %-44s %12d%n", "mismatches against the model", s.mismatches()));
            if (s.profile() != null) {
                b.append("where the consumer's Java threads spend their time (JFR samples, per cent of all):\n")
                        .append(s.profile());
            }
        }
        if (steady != null) {
            b.append(String.format(Locale.ROOT, "steady run: %,d events/s for %d s (%,d events) after a %d s warm-up"
                    + " at the same rate (its p99 %.1f ms, not counted), send -> row:%n", steady.rate(), steady.seconds(),
                    steady.events(), steady.warmupSeconds(), steady.warmupP99()));
            b.append(String.format(Locale.ROOT, "  p50 %.1f ms, p99 %.1f ms, max %.1f ms; mismatches %d%n",
                    steady.p50(), steady.p99(), steady.max(), steady.mismatches()));
            b.append("  p99 by 5 s of send time:");
            for (Delays.Window w : steady.fiveSecondWindows()) {
                b.append(String.format(Locale.ROOT, " %d-%d s %.0f ms;", w.fromSecond(), w.fromSecond() + 5, w.p99()));
            }
            b.setLength(b.length() - 1);
            b.append('\n');
        }
        return b.toString();
    }

    static void html(Path file, String text, Standard s, Steady steady) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>presence benchmark</title>")
                .append("<style>body{font-family:sans-serif;margin:2em;max-width:60em}pre{background:#f4f4f4;padding:1em}"
                        + "svg{border:1px solid #ccc;background:#fff}</style></head><body>")
                .append("<h1>presence benchmark</h1><pre>").append(escape(text)).append("</pre>");
        if (s != null && s.samples().size() > 1) {
            h.append("<h2>Standard workload: events applied per second</h2>").append(throughputChart(s.samples()));
        }
        if (s != null) {
            h.append("<h2>Standard workload: events/s, start-up included, and the ratios</h2>").append(rateChart(s));
        }
        if (steady != null) {
            h.append("<h2>Steady run: send → row delay (ms)</h2>").append(delayChart(steady));
            if (steady.secondWindows().size() > 1) {
                h.append("<h2>Steady run: delay by second of send time (p50 green, p99 red, ms)</h2>")
                        .append(windowChart(steady.secondWindows()));
            }
        }
        h.append("</body></html>\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, h, StandardCharsets.UTF_8);
    }

    private static String throughputChart(List<long[]> samples) {
        int w = 720;
        int hgt = 260;
        double maxT = samples.get(samples.size() - 1)[0] / 1e9;
        double[] rates = new double[samples.size()];
        double maxRate = 1;
        for (int i = 1; i < samples.size(); i++) {
            double dt = (samples.get(i)[0] - samples.get(i - 1)[0]) / 1e9;
            rates[i] = dt <= 0 ? 0 : Math.max(0, samples.get(i)[1] - samples.get(i - 1)[1]) / dt;
            maxRate = Math.max(maxRate, rates[i]);
        }
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"><polyline fill=\"none\" stroke=\"#1565c0\" "
                        + "stroke-width=\"2\" points=\"", w, hgt + 30, w, hgt + 30));
        for (int i = 1; i < samples.size(); i++) {
            double x = 50 + (samples.get(i)[0] / 1e9) / maxT * (w - 60);
            double y = 10 + hgt - rates[i] / maxRate * (hgt - 10);
            svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        svg.append(String.format(Locale.ROOT, "\"/><text x=\"5\" y=\"20\" font-size=\"12\">%,.0f/s</text>"
                + "<text x=\"5\" y=\"%d\" font-size=\"12\">0</text><text x=\"%d\" y=\"%d\" font-size=\"12\">%.0f s</text>"
                + "<line x1=\"50\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/></svg>",
                maxRate, hgt + 10, w - 50, hgt + 28, maxT, hgt + 10, w - 10, hgt + 10));
        return svg.toString();
    }

    private static String rateChart(Standard s) {
        List<String> names = new java.util.ArrayList<>(List.of("consumer (this project)"));
        List<Double> rates = new java.util.ArrayList<>(List.of(s.rate()));
        if (s.plain() != null) {
            names.add("plain batched");
            rates.add(s.plainRate());
        }
        names.add("naive");
        rates.add(s.baselineRate());
        double max = rates.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg width=\"720\" height=\"%d\" viewBox=\"0 0 720 %d\">", 20 + names.size() * 38, 20 + names.size() * 38));
        for (int i = 0; i < names.size(); i++) {
            double width = rates.get(i) / max * 400;
            String ratio = i == 0 ? "" : String.format(Locale.ROOT, " (this project %.2fx)", s.rate() / rates.get(i));
            svg.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\" font-size=\"13\">%s</text>"
                    + "<rect x=\"170\" y=\"%d\" width=\"%.1f\" height=\"26\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"13\">%,.0f/s%s</text>", 30 + i * 38, names.get(i),
                    12 + i * 38, width, i == 0 ? "#1565c0" : "#9e9e9e", 176 + width, 30 + i * 38, rates.get(i), ratio));
        }
        return svg.append("</svg>").toString();
    }

    private static String delayChart(Steady s) {
        double max = Math.max(1, s.max());
        String[] names = {"p50", "p99", "max"};
        double[] values = {s.p50(), s.p99(), s.max()};
        StringBuilder svg = new StringBuilder("<svg width=\"520\" height=\"130\" viewBox=\"0 0 520 130\">");
        for (int i = 0; i < 3; i++) {
            double width = values[i] / max * 380;
            svg.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\" font-size=\"13\">%s</text>"
                    + "<rect x=\"50\" y=\"%d\" width=\"%.1f\" height=\"26\" fill=\"#2e7d32\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"13\">%.1f ms</text>", 30 + i * 38, names[i], 12 + i * 38,
                    width, 56 + width, 30 + i * 38, values[i]));
        }
        return svg.append("</svg>").toString();
    }

    private static String windowChart(List<Delays.Window> windows) {
        int w = 720;
        int hgt = 260;
        double maxDelay = Math.max(1, windows.stream().mapToDouble(Delays.Window::p99).max().orElse(1));
        double maxT = Math.max(1, windows.get(windows.size() - 1).fromSecond());
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">", w, hgt + 30, w, hgt + 30));
        for (boolean p99 : new boolean[] {false, true}) {
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                    p99 ? "#c62828" : "#2e7d32"));
            for (Delays.Window window : windows) {
                double x = 50 + window.fromSecond() / maxT * (w - 60);
                double y = 10 + hgt - (p99 ? window.p99() : window.p50()) / maxDelay * (hgt - 10);
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append("\"/>");
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"20\" font-size=\"12\">%.0f ms</text>"
                + "<text x=\"5\" y=\"%d\" font-size=\"12\">0</text><text x=\"%d\" y=\"%d\" font-size=\"12\">%.0f s</text>"
                + "<line x1=\"50\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/></svg>",
                maxDelay, hgt + 10, w - 50, hgt + 28, maxT, hgt + 10, w - 10, hgt + 10));
        return svg.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private Report() {
    }
}
