package io.agentpresence.consumer.support;

import io.agentpresence.consumer.ConsumerService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;

/** Reads a running service's counters, summed over their tags. */
public final class Counters {

    private Counters() {
    }

    public static double sum(ConsumerService service, String meter) {
        return Search.in(service.meterRegistry()).name(meter).counters().stream().mapToDouble(Counter::count).sum();
    }
}
