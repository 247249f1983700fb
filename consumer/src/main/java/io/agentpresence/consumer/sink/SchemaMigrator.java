package io.agentpresence.consumer.sink;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the versioned schema migrations in {@code db/migration} with Flyway, beside whatever else the database holds. */
public final class SchemaMigrator {

    public static final String HISTORY_TABLE = "agent_presence_schema_history";
    /**
     * The version a database that already holds other tables is marked with before the first migration: below
     * {@code V1}, so every migration still runs. (Flyway's default baseline, 1, would skip {@code V1}.)
     */
    static final String BASELINE_VERSION = "0";

    private SchemaMigrator() {
    }

    /** @return the schema version after migrating */
    public static String migrate(DataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table(HISTORY_TABLE)
                // a database holding other tables but no history of ours gets one, starting below V1
                .baselineOnMigrate(true)
                .baselineVersion(BASELINE_VERSION)
                .baselineDescription("tables of others already in the database")
                .load()
                .migrate();
        return result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    }
}
