package dev.relato.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.test.contract.WorkflowNode;
import java.util.Arrays;

/**
 * A process of {@link PostgresProcessCrashTest}: the workflow on the schema named in its first argument
 * ({@code <jdbc url>#<schema>}).
 */
public final class PostgresWorkflowNode {
    private PostgresWorkflowNode() {
    }

    public static void main(String[] args) throws Exception {
        int hash = args[0].lastIndexOf('#');
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0].substring(0, hash));
        config.setMaximumPoolSize(4);
        config.setPoolName(args[1]);
        try (HikariDataSource pool = new HikariDataSource(config);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool)
                     .schema(args[0].substring(hash + 1)).build()) {
            store.migrate();
            WorkflowNode.run(store, store.deadlines(), store.checkpoints(), store.leases(args[1]),
                    Arrays.asList(args).subList(2, args.length));
        }
    }
}
