package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.projection.CheckpointStore;
import dev.relato.test.contract.CheckpointStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The checkpoint store contract against PostgreSQL: every test in a fresh schema. */
class PostgresCheckpointStoreContractTest extends CheckpointStoreContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_checkpoints", 6);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected CheckpointStore createCheckpointStore() {
        schema = TestDatabase.newSchema("contract");
        PostgresSchema target = PostgresSchema.of(schema);
        target.migrate(pool);
        return new PostgresCheckpointStore(pool, target);
    }

    @Override
    protected void destroyCheckpointStore(CheckpointStore store) {
        TestDatabase.dropSchema(schema);
    }
}
