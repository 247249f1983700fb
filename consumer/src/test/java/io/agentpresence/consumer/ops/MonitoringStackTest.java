package io.agentpresence.consumer.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.agentpresence.consumer.support.PromQl;
import io.agentpresence.consumer.support.RepositoryFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The compose stack's Prometheus and Grafana are wired to the files beside them: Prometheus loads the alert rules and
 * scrapes the jobs they watch, and Grafana loads the dashboard with a Prometheus data source.
 */
class MonitoringStackTest {

    private final YAMLMapper yaml = new YAMLMapper();

    @Test
    void prometheusLoadsTheRulesAndScrapesEveryJobTheyWatch() throws IOException {
        JsonNode prometheus = compose().path("services").path("prometheus");
        assertThat(prometheus.path("image").asText()).as("a pinned image").matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+");
        List<String> volumes = texts(prometheus.path("volumes"));
        assertThat(volumes).contains("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                "./deploy/prometheus/presence.rules.yml:/etc/prometheus/presence.rules.yml:ro");

        JsonNode config = yaml.readTree(RepositoryFile.find(Path.of("deploy", "prometheus", "prometheus.yml")).toFile());
        assertThat(texts(config.path("rule_files"))).containsExactly("presence.rules.yml");
        Set<String> scraped = new TreeSet<>();
        for (JsonNode job : config.path("scrape_configs")) {
            scraped.add(job.path("job_name").asText());
            // the compose services of the consumer and the fold, each replica on its HTTP port
            assertThat(job.path("dns_sd_configs").get(0).path("port").asInt()).isEqualTo(8080);
        }
        Set<String> watched = new TreeSet<>();
        JsonNode rules = yaml.readTree(RepositoryFile.find(Path.of("deploy", "prometheus", "presence.rules.yml")).toFile());
        for (JsonNode group : rules.path("groups")) {
            watched.add(group.path("name").asText());
            for (JsonNode rule : group.path("rules")) {
                PromQl.selectors(rule.path("expr").asText()).stream().map(s -> s.equal().get("job"))
                        .filter(job -> job != null).forEach(watched::add);
            }
        }
        assertThat(scraped).isEqualTo(watched);
    }

    @Test
    void grafanaLoadsTheDashboardWithPrometheusAsItsDataSource() throws IOException {
        JsonNode grafana = compose().path("services").path("grafana");
        assertThat(grafana.path("image").asText()).as("a pinned image").matches("grafana/grafana:\\d+\\.\\d+\\.\\d+");
        assertThat(texts(grafana.path("volumes"))).contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./deploy/grafana/presence.dashboard.json:/etc/grafana/dashboards/presence/presence.dashboard.json:ro");
        JsonNode providers = yaml.readTree(RepositoryFile.find(
                Path.of("deploy", "grafana", "provisioning", "dashboards", "presence.yml")).toFile()).path("providers");
        assertThat(providers.get(0).path("options").path("path").asText()).isEqualTo("/etc/grafana/dashboards/presence");
        JsonNode sources = yaml.readTree(RepositoryFile.find(
                Path.of("deploy", "grafana", "provisioning", "datasources", "presence.yml")).toFile()).path("datasources");
        assertThat(sources.get(0).path("type").asText()).isEqualTo("prometheus");
        assertThat(sources.get(0).path("url").asText()).isEqualTo("http://prometheus:9090");

        JsonNode dashboard = new ObjectMapper().readTree(RepositoryFile.find(
                Path.of("deploy", "grafana", "presence.dashboard.json")).toFile());
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            titles.add(panel.path("title").asText());
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("datasource").path("type").asText()).as(panel.path("title").asText())
                        .isEqualTo("prometheus");
            }
        }
        assertThat(titles).contains("Rows applied per second", "Lag", "Batch write time", "Dead letters",
                "Waiting for the database", "Fold state", "Expiry");
    }

    private JsonNode compose() throws IOException {
        return yaml.readTree(RepositoryFile.find(Path.of("docker-compose.yml")).toFile());
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
