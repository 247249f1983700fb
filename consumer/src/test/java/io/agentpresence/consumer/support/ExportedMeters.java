package io.agentpresence.consumer.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series a {@code /metrics} answer (Prometheus text format) holds: each sample's name with its labels, as
 * Prometheus stores them ({@code presence_batch_write_seconds_count}, not the meter's name).
 */
public final class ExportedMeters {

    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Map<String, List<Map<String, String>>> series = new TreeMap<>();

    private ExportedMeters() {
    }

    public static ExportedMeters parse(String scrape) {
        ExportedMeters meters = new ExportedMeters();
        scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> {
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            boolean labelled = brace >= 0 && brace < space;
            String name = line.substring(0, labelled ? brace : space);
            Map<String, String> labels = new TreeMap<>();
            if (labelled) {
                Matcher label = LABEL.matcher(line.substring(brace + 1, line.lastIndexOf('}')));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            meters.series.computeIfAbsent(name, n -> new ArrayList<>()).add(labels);
        });
        return meters;
    }

    public boolean has(String name) {
        return series.containsKey(name);
    }

    /** The label names the series of {@code name} carry. */
    public Set<String> labels(String name) {
        Set<String> labels = new TreeSet<>();
        series.getOrDefault(name, List.of()).forEach(s -> labels.addAll(s.keySet()));
        return labels;
    }

    /** True when a series of {@code name} has {@code label} = {@code value}. */
    public boolean has(String name, String label, String value) {
        return series.getOrDefault(name, List.of()).stream().anyMatch(s -> value.equals(s.get(label)));
    }

    public Set<String> names() {
        return series.keySet();
    }
}
