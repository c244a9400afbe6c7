package dev.relato.sqlite;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import java.nio.file.Path;
import java.util.List;

/**
 * A separate process appending to a shared store file, for {@link SqliteMultiProcessTest}. Arguments: the
 * file, the number of events to append to the shared stream. Exits 0 when all are appended.
 */
public final class AppendingProcess {
    static final StreamId SHARED = StreamId.of("Counter", "shared");

    private AppendingProcess() {
    }

    public static void main(String[] args) {
        int count = Integer.parseInt(args[1]);
        try (SqliteEventStore store = SqliteEventStore.open(Path.of(args[0]))) {
            appendWithRetry(store, count, "child");
        }
    }

    /** Appends {@code count} events one at a time with the version just read, rereading after a conflict. */
    static void appendWithRetry(SqliteEventStore store, int count, String writer) {
        for (int i = 0; i < count; i++) {
            while (true) {
                long version = store.streamVersion(SHARED);
                try {
                    store.append(SHARED, ExpectedVersion.exactly(version),
                            List.of(EventData.of("Counted", "{\"by\":\"" + writer + "\"}")));
                    break;
                } catch (WrongExpectedVersionException e) {
                    // another writer got there first: read again
                }
            }
        }
    }
}
