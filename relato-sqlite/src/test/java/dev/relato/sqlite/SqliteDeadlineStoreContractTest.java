package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.process.Deadline;
import dev.relato.process.DeadlineStore;
import dev.relato.test.contract.DeadlineStoreContract;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDeadlineStoreContractTest extends DeadlineStoreContract {
    @TempDir
    Path dir;
    private SqliteEventStore owner;

    @Override
    protected DeadlineStore createDeadlineStore() {
        owner = SqliteEventStore.open(dir.resolve("deadlines.db"));
        return owner.deadlines();
    }

    @Override
    protected void destroyDeadlineStore(DeadlineStore store) {
        owner.close();
    }

    @Test
    void deadlinesSurviveClosingAndReopeningTheFile() {
        Deadline payment = Deadline.of("Fulfilment", "o-1", "payment", Instant.parse("2026-03-01T12:00:00Z"));
        deadlineStore().schedule(payment);
        owner.close();

        owner = SqliteEventStore.open(dir.resolve("deadlines.db"));
        assertThat(owner.deadlines().find(payment.id())).contains(payment);
    }
}
