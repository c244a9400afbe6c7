package dev.relato.test.memory;

import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.InMemoryDataKeyStore;
import dev.relato.snapshot.InMemorySnapshotStore;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.PersonalDataContract;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class InMemoryPersonalDataContractTest extends PersonalDataContract {
    private final DataKeyStore keys = new InMemoryDataKeyStore();
    private final SnapshotStore snapshots = new InMemorySnapshotStore();

    @Override
    protected EventStore createStore() {
        return InMemoryEventStore.create();
    }

    @Override
    protected SnapshotStore snapshots(EventStore store) {
        return snapshots;
    }

    @Override
    protected DataKeyStore keyStore(EventStore store) {
        return keys;
    }

    @Override
    protected String rawContents(EventStore store) {
        try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart())) {
            return events.map(RecordedEvent::payload).collect(Collectors.joining("\n"));
        }
    }
}
