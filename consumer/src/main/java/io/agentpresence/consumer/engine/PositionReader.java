package io.agentpresence.consumer.engine;

import java.util.Collection;
import java.util.Map;

/** Reads the positions stored with the data, called on the poll thread when partitions must be (re)positioned. */
@FunctionalInterface
public interface PositionReader {

    /** The stored next offset per partition of the topic; partitions with none stored are absent. */
    Map<Integer, Long> read(Collection<Integer> partitions) throws Exception;
}
