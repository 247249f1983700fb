package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.fold.FoldService;
import io.agentpresence.consumer.fold.FoldSettings;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.ExportedMeters;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PromQl;
import io.agentpresence.consumer.support.RepositoryFile;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the Grafana dashboard in {@code deploy/} name only series that the services really export:
 * the consumer ({@code run}) and the fold, started as their commands start them and scraped once they have applied
 * an event, their names read as Prometheus stores them ({@code _total}, {@code _count}, ...), with the labels and
 * label values the queries match on.
 */
@ExtendWith(PresenceInfrastructure.class)
class MonitoringMetersIT {

    private static final Path RULES = Path.of("deploy", "prometheus", "presence.rules.yml");
    private static final Path DASHBOARD = Path.of("deploy", "grafana", "presence.dashboard.json");
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /** Series Prometheus makes itself (up for every target, ALERTS for its alerts), and the labels it adds to all. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up", "ALERTS");
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    @TempDir
    Path dir;
    private ConsumerFixture fixture;
    private TestDatabase db;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void theAlertRulesAndTheDashboardNameOnlySeriesTheConsumerAndTheFoldExport() throws Exception {
        String presence = fixture.topic("meters", 2);
        String devices = fixture.topic("meters-devices", 2);
        ConsumerService consumer = fixture.start(fixture.settings(presence, "meters-" + presence));
        Map<String, String> foldSettings = fixture.settings(presence, "meters-" + presence);
        foldSettings.put("device.topic", devices);
        foldSettings.put("fold.application.id", "meters-fold-" + presence);
        foldSettings.put("fold.state.dir", dir.resolve("fold-state").toString());
        FoldService fold = fixture.closeLater(FoldService.start(PresenceConsumerConfig.fromMap(foldSettings,
                FoldSettings.KEYS)));
        // one device event through the fold and the consumer: every client has connected and every path has run
        fixture.publisher(devices).publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "agent-1", "online",
                System.currentTimeMillis(), "meters", "laptop")).get();
        await().atMost(CONVERGE).until(() -> new PresenceTable(db).row("agent-1").isPresent());

        ExportedMeters fromConsumer = ExportedMeters.parse(consumer.meterRegistry().scrape());
        ExportedMeters fromFold = ExportedMeters.parse(fold.meterRegistry().scrape());
        ExportedMeters fromBoth = ExportedMeters.parse(consumer.meterRegistry().scrape() + "\n"
                + fold.meterRegistry().scrape());

        List<String> problems = new ArrayList<>();
        JsonNode groups = new YAMLMapper().readTree(RepositoryFile.find(RULES).toFile()).path("groups");
        assertThat(groups).as("rule groups in %s", RULES).isNotEmpty();
        for (JsonNode group : groups) {
            String name = group.path("name").asText();
            ExportedMeters exported = switch (name) {
                case "presence-consumer" -> fromConsumer;
                case "presence-fold" -> fromFold;
                default -> throw new AssertionError("rule group " + name + " watches neither the consumer nor the fold");
            };
            for (JsonNode rule : group.path("rules")) {
                check("rule " + rule.path("alert").asText(), rule.path("expr").asText(), exported, problems);
            }
        }
        List<JsonNode> queries = new ObjectMapper().readTree(RepositoryFile.find(DASHBOARD).toFile()).findValues("expr");
        assertThat(queries).as("queries in %s", DASHBOARD).isNotEmpty();
        for (JsonNode query : queries) {
            check("dashboard query", query.asText(), fromBoth, problems);
        }
        assertThat(problems).as("series named in %s and %s that the services do not export", RULES, DASHBOARD)
                .isEmpty();
    }

    /** Adds a line to {@code problems} for each series {@code expression} selects that {@code exported} lacks. */
    private static void check(String where, String expression, ExportedMeters exported, List<String> problems) {
        List<PromQl.Selector> selectors = PromQl.selectors(expression);
        if (selectors.isEmpty()) {
            problems.add(where + " selects no series: " + expression);
        }
        for (PromQl.Selector s : selectors) {
            if (PROMETHEUS_SERIES.contains(s.metric())) {
                continue;
            }
            if (!exported.has(s.metric())) {
                problems.add(where + " names " + s.metric() + ", which is not exported");
                continue;
            }
            for (String label : s.labels()) {
                if (!TARGET_LABELS.contains(label) && !exported.labels(s.metric()).contains(label)) {
                    problems.add(where + " matches " + s.metric() + " on " + label + ", a label it does not carry");
                }
            }
            s.equal().forEach((label, value) -> {
                if (!TARGET_LABELS.contains(label) && !exported.has(s.metric(), label, value)) {
                    problems.add(where + " matches " + s.metric() + "{" + label + "=\"" + value + "\"}, not exported");
                }
            });
        }
    }
}
