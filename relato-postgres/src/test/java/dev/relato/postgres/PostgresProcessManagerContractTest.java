package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.process.DeadlineStore;
import dev.relato.test.contract.ProcessManagerContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The process manager contract against PostgreSQL: every test in a fresh schema. */
class PostgresProcessManagerContractTest extends ProcessManagerContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_processes", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected EventStore createStore() {
        schema = TestDatabase.newSchema("contract");
        PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        store.migrate();
        return store;
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        TestDatabase.dropSchema(schema);
    }

    @Override
    protected DeadlineStore deadlines(EventStore store) {
        return ((PostgresEventStore) store).deadlines();
    }
}
