package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.test.contract.StreamOperationsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The stream operations contract against PostgreSQL: every test in a fresh schema. */
class PostgresStreamOperationsContractTest extends StreamOperationsContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_deletion", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected EventStore createStore() {
        schema = TestDatabase.newSchema("deletion");
        PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        store.migrate();
        return store;
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        TestDatabase.dropSchema(schema);
    }
}
