package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.StoreCompanions;
import dev.relato.test.contract.StoreCompanionsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The companions contract against PostgreSQL: every store in a fresh schema. */
class PostgresStoreCompanionsContractTest extends StoreCompanionsContract {
    private static HikariDataSource pool;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_companions", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected StoreCompanions createStore() {
        PostgresEventStore store = PostgresEventStore.builder().dataSource(pool)
                .schema(TestDatabase.newSchema("contract")).build();
        store.migrate();
        return store;
    }

    @Override
    protected void destroyStore(StoreCompanions store) {
        PostgresEventStore postgres = (PostgresEventStore) store;
        postgres.close();
        TestDatabase.dropSchema(postgres.schema().name());
    }
}
