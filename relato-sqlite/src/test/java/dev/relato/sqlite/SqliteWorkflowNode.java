package dev.relato.sqlite;

import dev.relato.test.contract.WorkflowNode;
import java.nio.file.Path;
import java.util.Arrays;

/** A process of {@link SqliteProcessCrashTest}: the workflow on the SQLite file in its first argument. */
public final class SqliteWorkflowNode {
    private SqliteWorkflowNode() {
    }

    public static void main(String[] args) throws Exception {
        try (SqliteEventStore store = SqliteEventStore.open(Path.of(args[0]))) {
            WorkflowNode.run(store, store.deadlines(), store.checkpoints(), store.leases(args[1]),
                    Arrays.asList(args).subList(2, args.length));
        }
    }
}
