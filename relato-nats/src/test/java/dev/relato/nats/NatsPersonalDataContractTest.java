package dev.relato.nats;

import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.privacy.DataKeyStore;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.PersonalDataContract;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** Crypto-shredding on NATS JetStream, each test on an event stream of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsPersonalDataContractTest extends PersonalDataContract {
    private String streamName;

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected EventStore createStore() {
        streamName = NatsTestServer.uniqueName("relato-personal");
        return NatsEventStore.builder().connection(NatsTestServer.shared()).streamName(streamName).build();
    }

    @Override
    protected SnapshotStore snapshots(EventStore store) {
        return ((NatsEventStore) store).snapshots();
    }

    @Override
    protected DataKeyStore keyStore(EventStore store) {
        return ((NatsEventStore) store).dataKeys();
    }

    /** The payloads as stored in the JetStream messages, read without decryption. */
    @Override
    protected String rawContents(EventStore store) {
        try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart())) {
            return events.map(RecordedEvent::payload).collect(Collectors.joining("\n"));
        }
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), streamName);
    }
}
