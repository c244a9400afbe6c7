package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.process.DeadlineStore;
import dev.relato.test.contract.DeadlineStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The deadline store contract against PostgreSQL: every test in a fresh schema. */
class PostgresDeadlineStoreContractTest extends DeadlineStoreContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_deadlines", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected DeadlineStore createDeadlineStore() {
        schema = TestDatabase.newSchema("contract");
        PostgresSchema target = PostgresSchema.of(schema);
        target.migrate(pool);
        return new PostgresDeadlineStore(pool, target);
    }

    @Override
    protected void destroyDeadlineStore(DeadlineStore store) {
        TestDatabase.dropSchema(schema);
    }
}
