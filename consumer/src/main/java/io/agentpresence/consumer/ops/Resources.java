package io.agentpresence.consumer.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a composition root opened, closed newest first when it stops or fails to start. */
public final class Resources {

    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);

    private Resources() {
    }

    /** Closes each resource; failures are added to {@code primary} when there is one, else logged. */
    public static void closeAll(List<AutoCloseable> resources, Throwable primary) {
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                // closing is best effort; a failure here must not hide the one that brought us here
                if (primary != null) {
                    primary.addSuppressed(e);
                } else {
                    LOG.warn("Closing {} failed: {}", resource, e.toString());
                }
            }
        }
    }
}
