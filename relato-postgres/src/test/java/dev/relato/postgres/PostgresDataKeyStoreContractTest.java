package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.privacy.DataKeyStore;
import dev.relato.test.contract.DataKeyStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The data key store contract against PostgreSQL: every test in a fresh schema. */
class PostgresDataKeyStoreContractTest extends DataKeyStoreContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_data_keys", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected DataKeyStore createKeyStore() {
        schema = TestDatabase.newSchema("data_keys");
        PostgresSchema migrated = PostgresSchema.of(schema);
        migrated.migrate(pool);
        return new PostgresDataKeyStore(pool, migrated);
    }

    @Override
    protected void destroyKeyStore(DataKeyStore keys) {
        TestDatabase.dropSchema(schema);
    }
}
