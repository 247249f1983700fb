package io.agentpresence.localstack;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One {@code /metrics} page from the scrapes of several registries in one JVM (the consumer's and the fold's), in
 * Prometheus' text format. A family that an earlier scrape already has (the JVM's own meters, which both bind) is
 * left out of the later ones: a page may name a family only once.
 */
final class MergedScrape implements Supplier<String> {

    private static final String TYPE = "# TYPE ";

    private final List<Supplier<String>> scrapes;

    MergedScrape(List<Supplier<String>> scrapes) {
        this.scrapes = List.copyOf(scrapes);
    }

    @Override
    public String get() {
        StringBuilder page = new StringBuilder();
        Set<String> families = new HashSet<>();
        for (Supplier<String> scrape : scrapes) {
            append(scrape.get(), families, page);
        }
        return page.toString();
    }

    /** Appends the families of {@code text} not in {@code seen}, each with its HELP, TYPE and samples. */
    static void append(String text, Set<String> seen, StringBuilder page) {
        Set<String> added = new HashSet<>();
        StringBuilder family = new StringBuilder();
        String name = null;
        for (String line : text.split("\n", -1)) {
            String startsFamily = familyStartedBy(line);
            if (startsFamily != null && !startsFamily.equals(name)) {
                flush(name, family, seen, added, page);
                name = startsFamily;
            }
            if (!line.isEmpty()) {
                family.append(line).append('\n');
            }
        }
        flush(name, family, seen, added, page);
        seen.addAll(added);
    }

    private static void flush(String name, StringBuilder family, Set<String> seen, Set<String> added,
                              StringBuilder page) {
        if (name == null || !seen.contains(name)) {
            page.append(family);
            if (name != null) {
                added.add(name);
            }
        }
        family.setLength(0);
    }

    /** The family a {@code # HELP} or {@code # TYPE} line opens, else null. */
    private static String familyStartedBy(String line) {
        if (line.startsWith("# HELP ") || line.startsWith(TYPE)) {
            String rest = line.substring(TYPE.length());
            int space = rest.indexOf(' ');
            return space < 0 ? rest : rest.substring(0, space);
        }
        return null;
    }
}
