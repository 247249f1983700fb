package io.agentpresence.consumer.support;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.PresenceBuffer;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.SchemaMigrator;
import io.agentpresence.consumer.support.Histories.Batch;
import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The consumer's write path on a migrated database, for properties that run many tries on one database: each
 * batch reduced by a {@link PresenceBuffer} and written by the {@link PresenceWriter} of its lane (two writers, as
 * two partitions or a live consumer and a replay have), and the table emptied between tries.
 */
public final class WritePath implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final List<PresenceWriter> writers;
    private final PresenceTable table;

    public WritePath(TestDatabase db) throws SQLException {
        this.dataSource = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2);
        SchemaMigrator.migrate(dataSource);
        this.writers = List.of(PresenceWriter.forServer(dataSource, new OffsetStore("lane-0")),
                PresenceWriter.forServer(dataSource, new OffsetStore("lane-1")));
        this.table = new PresenceTable(db);
    }

    public PresenceWriter writer(int lane) {
        return writers.get(lane);
    }

    /** Removes every row and every recorded deletion: the next try starts on an empty table. */
    public void clear() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM agent_presences");
            s.executeUpdate("DELETE FROM agent_presence_tombstones");
            // the pool's connections do not commit by themselves
            c.commit();
        }
    }

    /** Writes each batch in one transaction, in the order given, numbering its records as the consumer does. */
    public void write(List<Batch> batches) throws Exception {
        for (Batch batch : batches) {
            PresenceBuffer buffer = new PresenceBuffer();
            for (int i = 0; i < batch.events().size(); i++) {
                buffer.add(batch.events().get(i).change(i));
            }
            writer(batch.lane()).write(buffer.changes(), List.of());
        }
    }

    /** The table as it is now, in the model's form. */
    public Map<String, ExpectedTable.Row> rows() throws SQLException {
        return table.rowsWithLastSeen();
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
