package io.agentpresence.consumer.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.agentpresence.consumer.support.RepositoryFile;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in {@code deploy/prometheus}: each says how bad it is and what to do, each has a unit test where
 * it fires and one where it stays silent, and promtool accepts the rules and passes those tests (where promtool is
 * installed: CI installs it). That the rules name real meters is {@code MonitoringMetersIT}'s part.
 */
class AlertRulesTest {

    private static final Path RULES = Path.of("deploy", "prometheus", "presence.rules.yml");
    private static final Path RULE_TESTS = Path.of("deploy", "prometheus", "presence.test.yml");
    private static final Path PROMETHEUS_CONFIG = Path.of("deploy", "prometheus", "prometheus.yml");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning");

    @Test
    void everyAlertHasASeverityASummaryAndADescriptionOfWhatToDo() throws IOException {
        List<JsonNode> rules = rules();
        assertThat(rules).isNotEmpty();
        for (JsonNode rule : rules) {
            String alert = rule.path("alert").asText();
            assertThat(alert).as("a rule without an alert name").startsWith("Presence");
            assertThat(rule.path("labels").path("severity").asText()).as("%s's severity", alert).isIn(SEVERITIES);
            for (String annotation : List.of("summary", "description", "runbook")) {
                assertThat(rule.path("annotations").path(annotation).asText()).as("%s's %s", alert, annotation)
                        .isNotBlank();
            }
            assertThat(rule.path("annotations").path("runbook").asText()).as("%s's runbook", alert)
                    .startsWith("README.md#");
        }
    }

    @Test
    void everyAlertHasAUnitTestWhereItFiresAndOneWhereItStaysSilent() throws IOException {
        Map<String, Boolean> fires = new TreeMap<>();
        Map<String, Boolean> silent = new TreeMap<>();
        for (JsonNode test : new YAMLMapper().readTree(RepositoryFile.find(RULE_TESTS).toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                String alert = check.path("alertname").asText();
                boolean firing = !check.path("exp_alerts").isEmpty();
                (firing ? fires : silent).put(alert, true);
            }
        }
        List<String> alerts = rules().stream().map(rule -> rule.path("alert").asText()).toList();
        assertThat(fires.keySet()).as("alerts with a case where they fire").containsAll(alerts);
        assertThat(silent.keySet()).as("alerts with a case where they stay silent").containsAll(alerts);
    }

    @Test
    void promtoolAcceptsTheRulesAndTheComposeConfigAndTheRulesUnitTestsPass() throws Exception {
        Optional<Path> promtool = onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not installed (Debian's prometheus package has it; .ci/run"
                + " installs it): the alert rules' unit tests did not run");
        promtool(promtool.get(), "check", "rules", RepositoryFile.find(RULES).toString());
        promtool(promtool.get(), "check", "config", RepositoryFile.find(PROMETHEUS_CONFIG).toString());
        promtool(promtool.get(), "test", "rules", RepositoryFile.find(RULE_TESTS).toString());
    }

    private static List<JsonNode> rules() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : new YAMLMapper().readTree(RepositoryFile.find(RULES).toFile()).path("groups")) {
            group.path("rules").forEach(rules::add);
        }
        return rules;
    }

    private static void promtool(Path promtool, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("%s\n%s", String.join(" ", command), output).isZero();
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
    }
}
