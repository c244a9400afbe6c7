package dev.relato.sqlite;

import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.PersonalDataContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

class SqlitePersonalDataContractTest extends PersonalDataContract {
    @TempDir
    Path dir;

    @Override
    protected EventStore createStore() {
        return SqliteEventStore.open(dir.resolve("events.db"));
    }

    @Override
    protected boolean keysCommitWithAppends() {
        return true;
    }

    @Override
    protected SnapshotStore snapshots(EventStore store) {
        return ((SqliteEventStore) store).snapshots();
    }

    @Override
    protected DataKeyStore keyStore(EventStore store) {
        return ((SqliteEventStore) store).dataKeys();
    }

    /** Every byte of the database file and its write-ahead log. */
    @Override
    protected String rawContents(EventStore store) throws Exception {
        StringBuilder bytes = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                bytes.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        return bytes.toString();
    }
}
