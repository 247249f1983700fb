package io.agentpresence.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Two registries' scrapes make one valid page: every family once, the first registry's where both have it. */
class MergedScrapeTest {

    @Test
    void aFamilyBothScrapesHaveAppearsOnceFromTheFirst() {
        String consumer = """
                # HELP jvm_threads_live_threads live threads
                # TYPE jvm_threads_live_threads gauge
                jvm_threads_live_threads 40.0
                # HELP presence_events_consumed_total events
                # TYPE presence_events_consumed_total counter
                presence_events_consumed_total{topic="t"} 3.0
                """;
        String fold = """
                # HELP jvm_threads_live_threads live threads
                # TYPE jvm_threads_live_threads gauge
                jvm_threads_live_threads 41.0
                # HELP presence_fold_events_read_total read
                # TYPE presence_fold_events_read_total counter
                presence_fold_events_read_total 2.0
                """;

        String page = new MergedScrape(List.of(() -> consumer, () -> fold)).get();

        assertThat(page).isEqualTo("""
                # HELP jvm_threads_live_threads live threads
                # TYPE jvm_threads_live_threads gauge
                jvm_threads_live_threads 40.0
                # HELP presence_events_consumed_total events
                # TYPE presence_events_consumed_total counter
                presence_events_consumed_total{topic="t"} 3.0
                # HELP presence_fold_events_read_total read
                # TYPE presence_fold_events_read_total counter
                presence_fold_events_read_total 2.0
                """);
    }
}
