package io.agentpresence.consumer.sink;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/** Builds the writer's HikariCP pool with the driver settings the batched upsert depends on. */
public final class DataSourceFactory {

    /** Short, so a dead database shows as a failed attempt (and a paused, still-polling loop) quickly. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

    private DataSourceFactory() {
    }

    public static HikariDataSource create(String jdbcUrl, String user, String password, int poolSize) {
        return create(jdbcUrl, user, password, poolSize, null);
    }

    /** With pool metrics ({@code hikaricp.*}) in {@code registry} when it is not null. */
    public static HikariDataSource create(String jdbcUrl, String user, String password, int poolSize,
                                          MeterRegistry registry) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("presence-db");
        config.setJdbcUrl(jdbcUrl);
        if (!user.isEmpty()) {
            config.setUsername(user);
        }
        if (!password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setAutoCommit(false);
        // the rebuild's FOR UPDATE on the position rows holds writers back through gap locks: InnoDB's default,
        // pinned in case the server's default is READ COMMITTED
        config.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        // a batch becomes one multi-row INSERT: 60-150k rows/s instead of ~10k
        config.addDataSourceProperty("rewriteBatchedStatements", "true");
        // affected rows, not found rows: a skipped stale event counts 0
        config.addDataSourceProperty("useAffectedRows", "true");
        config.addDataSourceProperty("characterEncoding", "UTF-8");
        // multi-row statements are long: cache their parsed form, or every batch parses 20 kB of SQL again
        config.addDataSourceProperty("cachePrepStmts", "true");
        config.addDataSourceProperty("prepStmtCacheSize", "64");
        config.addDataSourceProperty("prepStmtCacheSqlLimit", "65536");
        config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECTION_TIMEOUT.toMillis()));
        config.addDataSourceProperty("socketTimeout", String.valueOf(Duration.ofSeconds(60).toMillis()));
        if (registry != null) {
            config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
        return new HikariDataSource(config);
    }
}
