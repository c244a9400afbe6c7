package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.snapshot.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDurabilityTest {
    private static final StreamId ORDER = StreamId.of("Order", "1");

    @TempDir
    Path dir;

    @Test
    void closeAndReopenKeepsEverythingAndContinuesVersionsAndPositions() {
        Path file = dir.resolve("events.db");
        List<EventData> firstAppend = List.of(EventData.of("OrderPlaced", "{\"id\":1}"), EventData.of("OrderPaid", "{}"));
        List<RecordedEvent> before;
        try (SqliteEventStore store = SqliteEventStore.builder().path(file).synchronous(SqliteEventStore.Synchronous.FULL)
                .build()) {
            store.append(ORDER, ExpectedVersion.noStream(), firstAppend);
            store.append(StreamId.of("Order", "2"), ExpectedVersion.noStream(), List.of(EventData.of("OrderPlaced", "{}")));
            store.snapshots().save(new Snapshot(ORDER, 2, 1, "{\"paid\":true}", Instant.parse("2026-01-01T00:00:00Z")));
            store.checkpoints().save("mailer", 3);
            before = store.read(ORDER);
        }

        try (SqliteEventStore reopened = SqliteEventStore.open(file)) {
            assertThat(reopened.read(ORDER)).isEqualTo(before);
            assertThat(reopened.streamVersion(ORDER)).isEqualTo(2);
            assertThat(reopened.headPosition()).isEqualTo(3);
            assertThat(reopened.snapshots().load(ORDER)).map(Snapshot::version).contains(2L);
            assertThat(reopened.checkpoints().load("mailer")).isEqualTo(3);

            AppendResult next = reopened.append(ORDER, ExpectedVersion.exactly(2), List.of(EventData.of("OrderShipped", "{}")));
            assertThat(next).isEqualTo(new AppendResult(ORDER, 3, 3, 4, 4, false, next.events()));
            assertThat(reopened.append(ORDER, ExpectedVersion.noStream(), firstAppend).retried())
                    .as("an append retried after the restart is still recognised").isTrue();
        }
    }
}
