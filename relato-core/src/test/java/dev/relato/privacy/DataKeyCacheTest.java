package dev.relato.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataKeyCacheTest {
    record NoteTaken(String customerId, @PersonalData(subject = "customerId") String text, int n) {
    }

    /** Counts the look-ups that reach the key store. */
    static final class CountingKeys implements DataKeyStore {
        final InMemoryDataKeyStore keys = new InMemoryDataKeyStore();
        final AtomicInteger lookups = new AtomicInteger();

        @Override
        public Optional<WrappedKey> newest(String subject) {
            lookups.incrementAndGet();
            return keys.newest(subject);
        }

        @Override
        public Optional<WrappedKey> find(UUID keyId) {
            lookups.incrementAndGet();
            return keys.find(keyId);
        }

        @Override
        public void add(WrappedKey key) {
            keys.add(key);
        }

        @Override
        public boolean rewrap(UUID keyId, byte[] wrapped) {
            return keys.rewrap(keyId, wrapped);
        }

        @Override
        public List<WrappedKey> keysOf(String subject) {
            return keys.keysOf(subject);
        }

        @Override
        public List<UUID> keyIds() {
            return keys.keyIds();
        }

        @Override
        public int destroy(String subject) {
            return keys.destroy(subject);
        }
    }

    @Test
    void aLongStreamIsWrittenAndReadWithoutALookUpPerEvent() {
        EventTypes types = EventTypes.builder().register(NoteTaken.class).build();
        EventSerializer serializer = EventSerializer.of(types);
        CountingKeys keys = new CountingKeys();
        try (PersonalDataStore store = PersonalDataStore.builder(InMemoryEventStore.create()).keyStore(keys)
                .keyEncryptionKey(KeyEncryptionKey.of(new byte[32], "test key")).types(types).build()) {
            StreamId stream = StreamId.of("customer", "c-1");
            List<dev.relato.EventData> events = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                events.add(serializer.serialize(new NoteTaken("c-1", "note " + i, i)));
            }
            int before = keys.lookups.get();
            store.append(stream, ExpectedVersion.noStream(), events.subList(0, 100));
            store.append(stream, ExpectedVersion.exactly(100), events.subList(100, 200));
            List<RecordedEvent> read = store.read(stream);
            read = store.read(stream);

            assertThat(read).hasSize(200);
            assertThat(((NoteTaken) serializer.deserialize(read.get(199))).text()).isEqualTo("note 199");
            // the first write looks for the subject's key, makes it, and finds it stored at the next event: two look-ups
            assertThat(keys.lookups.get() - before).isEqualTo(2);
        }
    }
}
