package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.test.contract.ProcessCrashContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The process crash suite on PostgreSQL: workflow JVMs share a schema of their own and are killed with SIGKILL. */
class PostgresProcessCrashTest extends ProcessCrashContract {
    private static HikariDataSource pool;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_process_crash", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected String newLocation() {
        return TestDatabase.url() + "#" + TestDatabase.newSchema("crash");
    }

    @Override
    protected EventStore open(String location) {
        PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema(location)).build();
        store.migrate();
        return store;
    }

    @Override
    protected Class<?> nodeMain() {
        return PostgresWorkflowNode.class;
    }

    @Override
    protected void drop(String location) {
        TestDatabase.dropSchema(schema(location));
    }

    private static String schema(String location) {
        return location.substring(location.lastIndexOf('#') + 1);
    }
}
