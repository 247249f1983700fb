package io.agentpresence.consumer.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.support.PromQl.Selector;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void functionsAggregationsRangesAndOperatorsAreNotSeries() {
        assertThat(PromQl.selectors("sum by (job, reason) (increase(presence_events_dead_lettered_total[10m])) > 0"))
                .containsExactly(new Selector("presence_events_dead_lettered_total", Map.of(), Set.of()));
        assertThat(PromQl.selectors("rate(a_count[5m] offset 1h) == 0 and on (instance) b > 1e3 unless ignoring(x) c"))
                .extracting(Selector::metric).containsExactly("a_count", "b", "c");
        assertThat(PromQl.selectors("histogram_quantile(0.99, sum without (pod) (rate(d_bucket[$__rate_interval])))"))
                .extracting(Selector::metric).containsExactly("d_bucket");
    }

    @Test
    void labelMatchersBelongToTheirSeriesAndOnlyFixedEqualitiesGiveValues() {
        assertThat(PromQl.selectors("absent(up{job=\"presence-fold\"} == 1)")).containsExactly(
                new Selector("up", Map.of("job", "presence-fold"), Set.of("job")));
        assertThat(PromQl.selectors("x{kind=\"insert\", reason=~\"a|b\", instance=\"$instance\", q!=\"}\"} / y"))
                .containsExactly(new Selector("x", Map.of("kind", "insert"), Set.of("kind", "reason", "instance", "q")),
                        new Selector("y", Map.of(), Set.of()));
    }

    @Test
    void stringsOutsideMatchersAndDashboardVariablesAreNotSeries() {
        assertThat(PromQl.selectors("label_replace(m, \"dst\", \"$1\", \"src\", \"(.*)\") * ${factor}"))
                .extracting(Selector::metric).containsExactly("m");
    }
}
