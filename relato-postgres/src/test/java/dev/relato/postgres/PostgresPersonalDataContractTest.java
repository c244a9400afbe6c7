package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.PersonalDataContract;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Crypto-shredding on PostgreSQL: every test in a fresh schema; the raw rows are read with SQL. */
class PostgresPersonalDataContractTest extends PersonalDataContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_personal_data", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected boolean keysCommitWithAppends() {
        return true;
    }

    @Override
    protected EventStore createStore() {
        schema = TestDatabase.newSchema("personal");
        PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        store.migrate();
        return store;
    }

    @Override
    protected SnapshotStore snapshots(EventStore store) {
        return ((PostgresEventStore) store).snapshots();
    }

    @Override
    protected DataKeyStore keyStore(EventStore store) {
        return ((PostgresEventStore) store).dataKeys();
    }

    /** Every row of the events and data keys tables, as text. */
    @Override
    protected String rawContents(EventStore store) throws Exception {
        StringBuilder text = new StringBuilder();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT e::text FROM \"" + schema + "\".events e UNION ALL"
                     + " SELECT k::text FROM \"" + schema + "\".data_keys k")) {
            while (rs.next()) {
                text.append(rs.getString(1)).append('\n');
            }
        }
        return text.toString();
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        TestDatabase.dropSchema(schema);
    }
}
