package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.test.contract.ProjectionLeasesContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class PostgresProjectionLeasesContractTest extends ProjectionLeasesContract {
    private static HikariDataSource pool;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_leases", 10);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected LeaseTable createLeaseTable() {
        String schema = TestDatabase.newSchema("contract");
        PostgresSchema target = PostgresSchema.of(schema);
        target.migrate(pool);
        return new LeaseTable() {
            @Override
            public PostgresProjectionLeases node(String nodeId) {
                return new PostgresProjectionLeases(pool, target, nodeId);
            }

            @Override
            public void close() {
                TestDatabase.dropSchema(schema);
            }
        };
    }
}
