package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.observe.RelatoObserver;
import dev.relato.test.contract.ObservationContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The observation contract against PostgreSQL: every test in a fresh schema. */
class PostgresObservationContractTest extends ObservationContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_observation", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected EventStore createStore(RelatoObserver observer) {
        schema = TestDatabase.newSchema("observation");
        PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).observer(observer)
                .build();
        store.migrate();
        return store;
    }

    @Override
    protected String storeName() {
        return "postgres";
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        TestDatabase.dropSchema(schema);
    }
}
