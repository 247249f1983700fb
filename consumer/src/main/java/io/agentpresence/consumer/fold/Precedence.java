package io.agentpresence.consumer.fold;

import io.agentpresence.model.PresenceStatuses;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * How the fold ranks device statuses: the configured list, best first (default {@code online, busy, away}).
 * A status not in the list ranks below every listed one, unlisted statuses among themselves by name, so the
 * result never depends on the order devices were seen. No live device at all folds to {@code offline}.
 */
public final class Precedence {

    private final List<String> order;
    private final Comparator<String> best;

    public Precedence(List<String> order) {
        this.order = List.copyOf(order);
        this.best = Comparator.comparingInt(this::rank).thenComparing(Comparator.naturalOrder());
    }

    private int rank(String status) {
        int i = order.indexOf(status);
        return i < 0 ? order.size() : i;
    }

    /** The best of {@code statuses}, or {@code offline} when there are none. */
    public String fold(Collection<String> statuses) {
        return statuses.stream().min(best).orElse(PresenceStatuses.OFFLINE);
    }

    public List<String> order() {
        return order;
    }

    @Override
    public String toString() {
        return String.join(" > ", order) + " > (others) > " + PresenceStatuses.OFFLINE;
    }
}
