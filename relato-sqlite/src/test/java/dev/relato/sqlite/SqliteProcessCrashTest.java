package dev.relato.sqlite;

import dev.relato.EventStore;
import dev.relato.test.contract.ProcessCrashContract;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;

/** The process crash suite on SQLite files: workflow JVMs share one file and are killed with SIGKILL. */
class SqliteProcessCrashTest extends ProcessCrashContract {
    @TempDir
    Path dir;

    @Override
    protected String newLocation() {
        return dir.resolve("workflow-" + UUID.randomUUID() + ".db").toString();
    }

    @Override
    protected EventStore open(String location) {
        return SqliteEventStore.open(Path.of(location));
    }

    @Override
    protected Class<?> nodeMain() {
        return SqliteWorkflowNode.class;
    }
}
