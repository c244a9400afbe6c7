package dev.relato.nats;

import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.PersonalDataContract;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamState;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** Crypto-shredding on NATS JetStream, each test on an event stream of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsPersonalDataContractTest extends PersonalDataContract {
    /** JetStream API error: no message at that sequence (removed). */
    private static final int NO_MESSAGE = 10037;
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

    /**
     * The bytes of every message JetStream holds for the store, read with plain message gets: the event stream and
     * every key-value bucket beside it (claims, truncations, snapshots, data keys).
     */
    @Override
    protected String rawContents(EventStore store) throws Exception {
        JetStreamManagement jsm = NatsTestServer.shared().jetStreamManagement();
        StringBuilder raw = new StringBuilder();
        for (String name : jsm.getStreamNames()) {
            if (!name.equals(streamName) && !name.startsWith("KV_" + streamName + "-")) {
                continue;
            }
            StreamState state = jsm.getStreamInfo(name).getStreamState();
            for (long seq = state.getFirstSequence(); seq > 0 && seq <= state.getLastSequence(); seq++) {
                try {
                    MessageInfo message = jsm.getMessage(name, seq);
                    raw.append(message.getSubject()).append(' ').append(message.getHeaders()).append(' ')
                            .append(new String(message.getData() == null ? new byte[0] : message.getData(),
                                    StandardCharsets.ISO_8859_1)).append('\n');
                } catch (JetStreamApiException e) {
                    if (e.getApiErrorCode() != NO_MESSAGE) {
                        throw e;
                    }
                }
            }
        }
        return raw.toString();
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), streamName);
    }
}
