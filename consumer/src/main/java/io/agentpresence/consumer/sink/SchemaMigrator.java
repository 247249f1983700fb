package io.agentpresence.consumer.sink;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the versioned schema migrations in {@code db/migration} with Flyway. */
public final class SchemaMigrator {

    public static final String HISTORY_TABLE = "agent_presence_schema_history";

    private SchemaMigrator() {
    }

    /** @return the schema version after migrating */
    public static String migrate(DataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table(HISTORY_TABLE)
                .load()
                .migrate();
        return result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    }
}
