package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.Metadata;
import dev.relato.PayloadReads.StoredPayload;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.WrongExpectedVersionException;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataException;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.privacy.PersonalFields;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Crypto-shredding on a real store: personal fields are stored encrypted (the raw rows hold no plain text),
 * forgetting one subject erases its fields in stream reads, the global log, a rebuilt read model and its
 * snapshots while the other subject's stay intact, a ciphertext moved to another event does not decrypt, and a wrong key-encryption
 * key is refused at start. A backend extends it with one small subclass.
 */
public abstract class PersonalDataContract {
    private static final KeyEncryptionKey KEK = KeyEncryptionKey.of(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32}, "contract key");
    /**
     * The key id an envelope names, as the store keeps its text: the {@code kid} of the first format (group 1), or
     * the first 23 base64url characters of a compact envelope, its first byte and the key id's 16 bytes (group 2).
     */
    private static final Pattern KID = Pattern.compile(
            "\"kid\"\\s*:\\s*\"([0-9a-f-]{36})\"|\"\\$pd\"\\s*:\\s*\"([A-Za-z0-9_-]{23})");
    private EventStore raw;
    private PersonalDataStore store;

    /** For the subclass of a store module. */
    protected PersonalDataContract() {
    }

    /** A new, empty event store, isolated from every other. */
    protected abstract EventStore createStore();

    /** The data key store beside the events of {@code store}. */
    protected abstract DataKeyStore keyStore(EventStore store);

    /** Everything the backend has stored for {@code store}, as text: the file's bytes, the table rows, the messages. */
    protected abstract String rawContents(EventStore store) throws Exception;

    /** The snapshot store beside the events of {@code store}. */
    protected abstract SnapshotStore snapshots(EventStore store);

    /**
     * Whether a subject's first data key commits in the transaction of the append that first uses it, so that an
     * append that fails leaves no key; false (the default) where the key is stored first, so that such an append
     * may leave one, which the subject's next append then uses.
     */
    protected boolean keysCommitWithAppends() {
        return false;
    }

    /** Releases what {@link #createStore()} made; by default closes the store. */
    protected void destroyStore(EventStore store) throws Exception {
        store.close();
    }

    @BeforeEach
    protected final void createStoreUnderTest() {
        raw = createStore();
        store = PersonalDataStore.builder(raw).keyStore(keyStore(raw)).keyEncryptionKey(KEK)
                .policy("CustomerRegistered", PersonalFields.of("customerId", "name", "email")).build();
    }

    @AfterEach
    protected final void destroyStoreUnderTest() throws Exception {
        if (raw != null) {
            destroyStore(raw);
        }
    }

    private StreamId register(String customer, String name) {
        StreamId stream = StreamId.of("customer", customer);
        store.append(stream, ExpectedVersion.noStream(), List.of(registered(customer, name)));
        return stream;
    }

    private static EventData registered(String customer, String name) {
        return EventData.of("CustomerRegistered", "{\"customerId\":\"" + customer + "\",\"name\":\"" + name
                + "\",\"email\":\"" + customer + "@mail.example\",\"country\":\"NL\"}");
    }

    /** The ids of the data keys the stored (encrypted) events of {@code stream} name. */
    private Set<UUID> keyIdsIn(StreamId stream) {
        Set<UUID> ids = new HashSet<>();
        for (RecordedEvent e : raw.read(stream)) {
            Matcher kid = KID.matcher(e.payload());
            while (kid.find()) {
                if (kid.group(1) != null) {
                    ids.add(UUID.fromString(kid.group(1)));
                } else {
                    ByteBuffer head = ByteBuffer.wrap(Base64.getUrlDecoder().decode(kid.group(2)));
                    assertThat(head.get() & 0xf0).as("format of a compact envelope").isEqualTo(0x20);
                    ids.add(new UUID(head.getLong(), head.getLong()));
                }
            }
        }
        return ids;
    }

    private static String name(RecordedEvent e) {
        String payload = e.payload();
        int at = payload.indexOf("\"name\":\"") + 8;
        return payload.substring(at, payload.indexOf('"', at));
    }

    @Test
    @DisplayName("a forgotten subject's fields are erased in stream reads, the global log and a rebuilt read model")
    void forgetErasesEverywhere() throws Exception {
        String ann = "ann-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();
        StreamId annStream = register(ann, "Ann Secretname");
        StreamId bobStream = register(bob, "Bob Othername");

        assertThat(store.forget(ann)).isEqualTo(1);

        RecordedEvent annEvent = store.read(annStream).get(0);
        assertThat(name(annEvent)).isEqualTo(PersonalDataStore.ERASED);
        assertThat(PersonalDataStore.erasedFields(annEvent)).containsExactlyInAnyOrder("name", "email");
        assertThat(annEvent.payload()).contains("\"country\":\"NL\"").contains(ann);
        assertThat(name(store.read(bobStream).get(0))).isEqualTo("Bob Othername");
        for (StreamId stream : List.of(annStream, bobStream)) {
            assertThat(store.readPayloads(stream, StreamRead.forwards())).extracting(StoredPayload::payload)
                    .as("the payloads a repository folds, of %s", stream)
                    .containsExactlyElementsOf(store.read(stream).stream().map(RecordedEvent::payload).toList());
        }

        try (Stream<RecordedEvent> log = store.readAll(GlobalRead.fromStart())) {
            assertThat(log.map(PersonalDataContract::name)).containsExactly(PersonalDataStore.ERASED, "Bob Othername");
        }

        Map<String, String> readModel = new ConcurrentHashMap<>();
        RecordingListener listener = new RecordingListener();
        try (Subscription rebuild = store.subscribe(0, EventFilter.all(), listener)) {
            Await.until("the rebuild caught up", () -> listener.caughtUpCalls() > 0);
            listener.events().forEach(e -> readModel.put(e.streamId().id(), name(e)));
            assertThat(rebuild.failure()).isEmpty();
        }
        assertThat(readModel).containsEntry(ann, PersonalDataStore.ERASED).containsEntry(bob, "Bob Othername");
    }

    @Test
    @DisplayName("forgetting with the snapshot store removes the snapshots holding the subject's data")
    void forgetRemovesSnapshots() {
        String ann = "ann-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();
        StreamId annStream = register(ann, "Ann Secretname");
        StreamId bobStream = register(bob, "Bob Othername");
        SnapshotStore snapshots = snapshots(raw);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        snapshots.save(new Snapshot(annStream, 1, 1, "{\"name\":\"Ann Secretname\"}", now));
        snapshots.save(new Snapshot(bobStream, 1, 1, "{\"name\":\"Bob Othername\"}", now));

        assertThat(store.forget(ann, snapshots)).isEqualTo(1);

        assertThat(snapshots.load(annStream)).isEmpty();
        assertThat(snapshots.load(bobStream)).hasValueSatisfying(s -> assertThat(s.payload()).contains("Bob"));
        assertThat(name(store.read(annStream).get(0))).isEqualTo(PersonalDataStore.ERASED);
        assertThat(store.forget(ann, snapshots)).as("again: nothing left").isZero();
    }

    @Test
    @DisplayName("the stored rows hold no plain text of personal fields")
    void noPlainTextStored() throws Exception {
        String ann = "ann-" + UUID.randomUUID();
        register(ann, "Ann Secretname");
        String contents = rawContents(raw);
        assertThat(contents).as("raw contents").contains(ann).doesNotContain("Secretname")
                .doesNotContain("@mail.example");
    }

    @Test
    @DisplayName("a ciphertext moved into another event does not decrypt")
    void movedCiphertextFails() {
        StreamId ann = register("ann-" + UUID.randomUUID(), "Ann Secretname");
        String sealed = raw.read(ann).get(0).payload();
        StreamId elsewhere = StreamId.of("customer", "copy-" + UUID.randomUUID());
        raw.append(elsewhere, ExpectedVersion.noStream(), List.of(new EventData(UUID.randomUUID(),
                "CustomerRegistered", 1, sealed, Metadata.empty())));
        assertThatThrownBy(() -> store.read(elsewhere)).isInstanceOf(PersonalDataException.class)
                .hasMessageContaining("does not decrypt");
        assertThatThrownBy(() -> store.readPayloads(elsewhere, StreamRead.forwards()))
                .isInstanceOf(PersonalDataException.class).hasMessageContaining("does not decrypt");
    }

    @Test
    @DisplayName("a wrong key-encryption key is refused at start, naming it, and nothing is written")
    void wrongKeyRefused() {
        register("ann-" + UUID.randomUUID(), "Ann Secretname");
        DataKeyStore keys = keyStore(raw);
        List<UUID> before = keys.keyIds();
        KeyEncryptionKey wrong = KeyEncryptionKey.of(new byte[32], "environment variable WRONG_KEK");
        assertThatThrownBy(() -> PersonalDataStore.builder(raw).keyStore(keys).keyEncryptionKey(wrong).build())
                .isInstanceOf(PersonalDataException.class).hasMessageContaining("WRONG_KEK");
        assertThat(keys.keyIds()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(raw.read(StreamId.of("customer", "never")).stream().collect(Collectors.toList())).isEmpty();
    }
    @Test
    @DisplayName("a new subject's first append that fails leaves no key where keys commit with appends, else one"
            + " that is reused; one that succeeds stores exactly the key its events name")
    void firstAppendStoresItsKeyWithItsEvents() {
        StreamId taken = register("ann-" + UUID.randomUUID(), "Ann Secretname");
        String carl = "carl-" + UUID.randomUUID();
        DataKeyStore keys = keyStore(raw);

        assertThatThrownBy(() -> store.append(taken, ExpectedVersion.noStream(),
                List.of(registered(carl, "Carl Hiddenname"), registered(carl, "Carl Hiddenname"))))
                .isInstanceOf(WrongExpectedVersionException.class);
        if (keysCommitWithAppends()) {
            assertThat(keys.keysOf(carl)).as("keys of a subject whose only append failed").isEmpty();
        } else {
            assertThat(keys.keysOf(carl)).as("keys of a subject whose only append failed").hasSizeLessThanOrEqualTo(1);
        }
        UUID duplicate = raw.read(taken).get(0).eventId();
        assertThatThrownBy(() -> store.append(StreamId.of("customer", carl), ExpectedVersion.noStream(),
                List.of(registered(carl, "Carl Hiddenname"), new EventData(duplicate, "CustomerRegistered", 1,
                        registered(carl, "Carl Hiddenname").payload(), Metadata.empty()))))
                .isInstanceOf(DuplicateEventException.class);
        if (keysCommitWithAppends()) {
            assertThat(keys.keysOf(carl)).as("keys after an append refused for a stored event id").isEmpty();
        }

        StreamId carlStream = StreamId.of("customer", carl);
        store.append(carlStream, ExpectedVersion.noStream(),
                List.of(registered(carl, "Carl Hiddenname"), registered(carl, "Carl Hiddenname")));

        List<UUID> stored = keys.keysOf(carl).stream().map(k -> k.keyId()).toList();
        assertThat(stored).as("keys of the subject after its first append").hasSize(1);
        assertThat(keyIdsIn(carlStream)).containsExactlyElementsOf(stored);
        assertThat(store.read(carlStream)).extracting(PersonalDataContract::name)
                .containsExactly("Carl Hiddenname", "Carl Hiddenname");
    }

    @Test
    @DisplayName("concurrent first appends of one subject: every event decrypts, and forgetting erases them all")
    void concurrentFirstAppendsOfOneSubject() throws Exception {
        String dana = "dana-" + UUID.randomUUID();
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<StreamId> streams = new ArrayList<>();
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                StreamId stream = StreamId.of("customer", dana + "-" + i);
                streams.add(stream);
                done.add(pool.submit(() -> {
                    start.await();
                    return store.append(stream, ExpectedVersion.noStream(),
                            List.of(registered(dana, "Dana Concealed")));
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<UUID> named = new HashSet<>();
        for (StreamId stream : streams) {
            assertThat(name(store.read(stream).get(0))).isEqualTo("Dana Concealed");
            named.addAll(keyIdsIn(stream));
        }
        assertThat(keyStore(raw).keysOf(dana)).extracting(k -> k.keyId()).containsAll(named);

        store.forget(dana);

        for (StreamId stream : streams) {
            assertThat(name(store.read(stream).get(0))).isEqualTo(PersonalDataStore.ERASED);
        }
        assertThat(keyStore(raw).keysOf(dana)).isEmpty();
    }
}
