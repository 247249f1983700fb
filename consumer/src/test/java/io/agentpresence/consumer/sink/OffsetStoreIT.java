package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Positions stored with the data, on the real database: what a move keeps of the row it moves. */
@ExtendWith(PresenceInfrastructure.class)
class OffsetStoreIT {

    @Test
    void aPositionMovedWithoutATopicIdKeepsTheIdStoredSoARecreatedTopicIsStillDetected(TestDatabase db)
            throws Exception {
        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            SchemaMigrator.migrate(ds);
            OffsetStore store = new OffsetStore("group");
            PresenceWriter writer = PresenceWriter.forServer(ds, store);

            writer.write(List.of(), List.of(new PartitionPosition("topic", 0, "id-1", null, 5)));
            writer.write(List.of(), List.of(new PartitionPosition("topic", 0, null, 5L, 9)));

            assertThat(store.read(ds, "topic")).containsExactlyEntriesOf(
                    Map.of(0, new StoredPosition(0, 9, "id-1")));
        }
    }
}
