package io.agentpresence.consumer.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series a PromQL expression selects: each metric name it names, with the labels it matches exactly
 * ({@code reason="malformed-json"}). Enough of the language for alert rules and dashboard queries: functions,
 * aggregations with {@code by}/{@code without}, ranges, offsets, binary operators with {@code on}/{@code ignoring}
 * and Grafana's {@code $variables}.
 */
public final class PromQl {

    /** A metric name and the labels it must equal; other matchers ({@code =~}, {@code !=}) give only their names. */
    public record Selector(String metric, Map<String, String> equal, Set<String> labels) {
    }

    /** Label matchers in braces; a quoted value may hold a brace. */
    private static final Pattern MATCHERS = Pattern.compile("\\{((?:[^}\"]|\"(?:[^\"\\\\]|\\\\.)*\")*)}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d+)}");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{?\\w+(?::\\w+)?}?");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(=~|!=|!~|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");

    private PromQl() {
    }

    /** Every selector in {@code expression}, in the order written. */
    public static List<Selector> selectors(String expression) {
        // label matchers aside first, so that strings and variables elsewhere can go without touching them
        List<String> matchers = new ArrayList<>();
        String text = MATCHERS.matcher(expression).replaceAll(m -> {
            matchers.add(m.group(1));
            return "{" + (matchers.size() - 1) + "}";
        });
        text = STRING.matcher(text).replaceAll(" ");
        text = GRAFANA_VARIABLE.matcher(text).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        List<Selector> selectors = new ArrayList<>();
        Matcher name = NAME.matcher(text);
        while (name.find()) {
            if (name.start() > 0 && isNumberPart(text.charAt(name.start() - 1))) {
                continue;  // a duration or an exponent: 5m, 1e3
            }
            String token = name.group();
            int next = skipSpaces(text, name.end());
            if (KEYWORDS.contains(token.toLowerCase(Locale.ROOT)) || next < text.length() && text.charAt(next) == '(') {
                continue;  // an operator or a function
            }
            Map<String, String> equal = new LinkedHashMap<>();
            Set<String> labels = new TreeSet<>();
            Matcher placeholder = PLACEHOLDER.matcher(text).region(next, text.length());
            if (placeholder.lookingAt()) {
                Matcher matcher = MATCHER.matcher(matchers.get(Integer.parseInt(placeholder.group(1))));
                while (matcher.find()) {
                    labels.add(matcher.group(1));
                    // a value with a dashboard variable is chosen by the viewer: only its label can be checked
                    if (matcher.group(2).equals("=") && !matcher.group(3).contains("$")) {
                        equal.put(matcher.group(1), matcher.group(3));
                    }
                }
            }
            selectors.add(new Selector(token, equal, labels));
        }
        return selectors;
    }

    private static boolean isNumberPart(char c) {
        return Character.isDigit(c) || c == '.';
    }

    private static int skipSpaces(String text, int at) {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        return at;
    }
}
