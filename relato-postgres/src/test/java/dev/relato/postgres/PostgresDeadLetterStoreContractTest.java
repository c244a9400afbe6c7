package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.projection.DeadLetterStore;
import dev.relato.test.contract.DeadLetterStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class PostgresDeadLetterStoreContractTest extends DeadLetterStoreContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_dead_letters", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected DeadLetterStore createDeadLetterStore() {
        schema = TestDatabase.newSchema("contract");
        PostgresSchema target = PostgresSchema.of(schema);
        target.migrate(pool);
        return new PostgresDeadLetterStore(pool, target);
    }

    @Override
    protected void destroyDeadLetterStore(DeadLetterStore store) {
        TestDatabase.dropSchema(schema);
    }
}
