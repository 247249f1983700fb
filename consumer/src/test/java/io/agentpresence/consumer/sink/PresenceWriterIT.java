package io.agentpresence.consumer.sink;

import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The upsert scenarios on the run's database: MySQL 8.4 in Docker where it runs, else MariaDB. */
@ExtendWith(PresenceInfrastructure.class)
class PresenceWriterIT extends UpsertScenarios {

    private TestDatabase db;

    @BeforeEach
    void database(TestDatabase db) {
        this.db = db;
    }

    @Override
    TestDatabase database() {
        return db;
    }
}
