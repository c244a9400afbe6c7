package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relato.StreamId;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SnapshotStore} keeps, as a JUnit 5 test suite. A backend extends it with one
 * small subclass implementing {@link #createSnapshotStore()}.
 *
 * <p><b>Lifecycle</b>: {@link #createSnapshotStore()} is called before every test and must return an
 * empty store isolated from every other; {@link #destroySnapshotStore(SnapshotStore)} is called after
 * every test and by default closes the store if it is {@link AutoCloseable}.
 *
 * <p>Snapshots are written with {@code takenAt} truncated to milliseconds, so a store must keep at least
 * millisecond precision.
 */
public abstract class SnapshotStoreContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotStore store;

    /** For the subclass of a store module. */
    protected SnapshotStoreContract() {
    }

    /** A new, empty snapshot store, isolated from every other one this method returns. */
    protected abstract SnapshotStore createSnapshotStore();

    /** Releases what {@link #createSnapshotStore()} made. The default closes the store if it is closeable. */
    protected void destroySnapshotStore(SnapshotStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The store of the running test, for tests a backend adds in its subclass. */
    protected final SnapshotStore snapshotStore() {
        return store;
    }

    @BeforeEach
    protected final void createStoreUnderTest() {
        store = createSnapshotStore();
        assertThat(store).as("createSnapshotStore() returned null").isNotNull();
    }

    @AfterEach
    protected final void destroyStoreUnderTest() throws Exception {
        if (store != null) {
            destroySnapshotStore(store);
        }
    }

    private static StreamId stream() {
        return StreamId.of("Order", UUID.randomUUID().toString());
    }

    private static Snapshot snapshot(StreamId stream, long version, String payload) {
        return new Snapshot(stream, version, 1, payload, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** Compares all fields, the payload as a JSON tree (a store may reformat it). */
    private static void assertSame(Snapshot actual, Snapshot expected) {
        assertThat(actual.stream()).isEqualTo(expected.stream());
        assertThat(actual.version()).isEqualTo(expected.version());
        assertThat(actual.schemaVersion()).isEqualTo(expected.schemaVersion());
        assertThat(tree(actual.payload())).isEqualTo(tree(expected.payload()));
        assertThat(actual.takenAt()).isEqualTo(expected.takenAt());
    }

    private Snapshot loaded(StreamId stream) {
        return store.load(stream).orElseThrow(() -> new AssertionError("no snapshot of " + stream));
    }

    @Test
    @DisplayName("a stream without a snapshot loads as empty")
    void missing() {
        assertThat(store.load(stream())).isEmpty();
    }

    @Test
    @DisplayName("a saved snapshot loads back as saved")
    void saveAndLoad() {
        StreamId s = stream();
        Snapshot saved = new Snapshot(s, 42, 3,
                "{\"total\":12.5,\"lines\":[{\"sku\":\"X\",\"qty\":2}],\"note\":\"caf\u00e9 \ud83d\ude00\",\"open\":true}",
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        store.save(saved);
        assertSame(loaded(s), saved);
    }

    @Test
    @DisplayName("keeps the newest: a later version replaces, an older one is ignored, the same one replaces")
    void keepsNewest() {
        StreamId s = stream();
        store.save(snapshot(s, 5, "{\"v\":5}"));
        store.save(snapshot(s, 3, "{\"v\":3}"));
        assertThat(loaded(s).version()).isEqualTo(5);

        Snapshot seven = snapshot(s, 7, "{\"v\":7}");
        store.save(seven);
        assertSame(loaded(s), seven);

        Snapshot sevenAgain = new Snapshot(s, 7, 2, "{\"v\":\"7 again\"}", Instant.now().truncatedTo(ChronoUnit.MILLIS));
        store.save(sevenAgain);
        assertSame(loaded(s), sevenAgain);
    }

    @Test
    @DisplayName("streams are kept apart")
    void streamsApart() {
        StreamId a = stream();
        StreamId b = stream();
        StreamId sameIdOtherCategory = StreamId.of("Customer", a.id());
        store.save(snapshot(a, 1, "{\"s\":\"a\"}"));
        store.save(snapshot(b, 9, "{\"s\":\"b\"}"));
        assertThat(tree(loaded(a).payload()).get("s").asText()).isEqualTo("a");
        assertThat(loaded(b).version()).isEqualTo(9);
        assertThat(store.load(sameIdOtherCategory)).isEmpty();
        store.delete(a);
        assertThat(store.load(a)).isEmpty();
        assertThat(store.load(b)).isPresent();
    }

    @Test
    @DisplayName("delete forgets the snapshot, and a later save starts afresh; deleting nothing is fine")
    void delete() {
        StreamId s = stream();
        store.save(snapshot(s, 10, "{}"));
        store.delete(s);
        assertThat(store.load(s)).isEmpty();
        store.delete(s);
        store.delete(stream());
        Snapshot lower = snapshot(s, 2, "{\"after\":\"delete\"}");
        store.save(lower);
        assertSame(loaded(s), lower);
    }

    @Test
    @DisplayName("stream ids with unusual characters are stored faithfully")
    void unusualStreamIds() {
        for (String id : List.of("with space", "dots.and*stars>", "caf\u00e9-\u65e5\u672c", "quote'\"", "per%cent_",
                "x".repeat(StreamId.MAX_ID_LENGTH))) {
            StreamId s = StreamId.of("Odd", id);
            Snapshot saved = snapshot(s, 1, "{\"id\":" + JSON.valueToTree(id) + "}");
            store.save(saved);
            assertSame(loaded(s), saved);
        }
    }

    @Test
    @DisplayName("concurrent savers leave the highest version")
    void concurrentSavers() {
        StreamId s = stream();
        List<Long> versions = new ArrayList<>();
        for (long v = 1; v <= 64; v++) {
            versions.add(v);
        }
        Collections.shuffle(versions, new Random(7));
        Concurrently.run(8, w -> {
            for (int i = w; i < versions.size(); i += 8) {
                long v = versions.get(i);
                store.save(snapshot(s, v, "{\"v\":" + v + "}"));
            }
        });
        Snapshot last = loaded(s);
        assertThat(last.version()).isEqualTo(64);
        assertThat(tree(last.payload()).get("v").asLong()).isEqualTo(64);
    }
}
