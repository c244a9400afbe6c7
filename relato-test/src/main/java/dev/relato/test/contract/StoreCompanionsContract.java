package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.InvalidInputException;
import dev.relato.StoreCompanions;
import dev.relato.StreamId;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.ProjectionLeases;
import dev.relato.snapshot.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shape every event store keeps, as a JUnit 5 test suite: it offers {@link StoreCompanions#snapshots()},
 * {@link StoreCompanions#checkpoints()}, {@link StoreCompanions#deadLetters()} and
 * {@link StoreCompanions#leases(String)}, each keeping its data beside the store's events, so that what one call's
 * companion writes, a later call's companion reads, and another store sees none of it. The stores' own contracts
 * ({@link SnapshotStoreContract}, {@link CheckpointStoreContract}, {@link DeadLetterStoreContract},
 * {@link ProjectionLeasesContract}) prove each companion in depth.
 *
 * <p><b>Lifecycle</b>: {@link #createStore()} is called before every test, and by one test twice, and must return
 * a new, empty store isolated from every other one; {@link #destroyStore(StoreCompanions)} is called after every
 * test for every store made, and by default closes the store if it is {@link AutoCloseable}.
 */
public abstract class StoreCompanionsContract {
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Instant AT = Instant.parse("2024-05-01T10:00:00.123Z");

    private final List<StoreCompanions> made = new ArrayList<>();
    private StoreCompanions store;

    /** For the subclass of a store module. */
    protected StoreCompanionsContract() {
    }

    /** A new, empty event store, isolated from every other one this method returns. */
    protected abstract StoreCompanions createStore();

    /** Releases what {@link #createStore()} made. The default closes the store if it is closeable. */
    protected void destroyStore(StoreCompanions store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @BeforeEach
    protected final void createStoreUnderTest() {
        store = another();
    }

    @AfterEach
    protected final void destroyStoresUnderTest() throws Exception {
        for (StoreCompanions s : made) {
            destroyStore(s);
        }
        made.clear();
    }

    private StoreCompanions another() {
        StoreCompanions s = createStore();
        assertThat(s).as("createStore() returned null").isNotNull();
        made.add(s);
        return s;
    }

    private static Snapshot snapshot(StreamId stream, long version) {
        return new Snapshot(stream, version, 1, "{\"lines\":" + version + "}", AT);
    }

    private static DeadLetter letter(String projection, long position) {
        return new DeadLetter(projection, position, UUID.randomUUID(), StreamId.of("Order", "o-1"), 2, "OrderPlaced",
                "boom", "java.lang.IllegalStateException: boom", 3, AT);
    }

    @Test
    @DisplayName("a snapshot saved through the store's snapshots() is loaded through it again")
    void snapshotsLiveWithTheStore() {
        StreamId stream = StreamId.of("Order", "o-1");
        store.snapshots().save(snapshot(stream, 7));

        assertThat(store.snapshots().load(stream)).hasValueSatisfying(loaded -> {
            assertThat(loaded.version()).isEqualTo(7);
            assertThat(loaded.payload()).isEqualTo("{\"lines\":7}");
        });
    }

    @Test
    @DisplayName("a checkpoint saved through the store's checkpoints() is loaded through it again")
    void checkpointsLiveWithTheStore() {
        store.checkpoints().save("order-list", 42);

        assertThat(store.checkpoints().load("order-list")).isEqualTo(42);
        assertThat(store.checkpoints().load("other")).isZero();
    }

    @Test
    @DisplayName("a dead letter added through the store's deadLetters() is listed and removed through it again")
    void deadLettersLiveWithTheStore() {
        store.deadLetters().add(letter("order-list", 5));

        assertThat(store.deadLetters().list("order-list")).extracting(DeadLetter::position).containsExactly(5L);
        assertThat(store.deadLetters().remove("order-list", 5)).isTrue();
        assertThat(store.deadLetters().list("order-list")).isEmpty();
    }

    @Test
    @DisplayName("leases(node) of one store share one lease table: one node holds a lease, another takes it once freed")
    void leasesOfOneStoreExcludeEachOther() {
        ProjectionLeases a = store.leases("node-a");
        ProjectionLeases b = store.leases("node-b");
        assertThat(a.nodeId()).isEqualTo("node-a");
        assertThat(b.nodeId()).isEqualTo("node-b");

        assertThat(a.acquire("order-list", LONG)).isTrue();
        assertThat(b.acquire("order-list", LONG)).isFalse();
        assertThat(store.leases("node-c").owner("order-list")).contains("node-a");

        store.leases("node-a").release("order-list");
        assertThat(b.acquire("order-list", LONG)).isTrue();
        assertThat(a.owner("order-list")).contains("node-b");
    }

    @Test
    @DisplayName("leases(node) refuses a blank node id, a control character or one over 200 characters")
    void leasesRefuseBadNodeIds() {
        assertThatThrownBy(() -> store.leases(" ")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> store.leases("node\n1")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> store.leases("n".repeat(201))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("200");
    }

    @Test
    @DisplayName("another store sees none of this store's snapshots, checkpoints, dead letters or leases")
    void companionsAreIsolatedPerStore() {
        StreamId stream = StreamId.of("Order", "o-1");
        store.snapshots().save(snapshot(stream, 3));
        store.checkpoints().save("order-list", 9);
        store.deadLetters().add(letter("order-list", 2));
        assertThat(store.leases("node-a").acquire("order-list", LONG)).isTrue();

        StoreCompanions other = another();

        assertThat(other.snapshots().load(stream)).isEmpty();
        assertThat(other.checkpoints().load("order-list")).isZero();
        assertThat(other.deadLetters().list("order-list")).isEmpty();
        assertThat(other.leases("node-b").owner("order-list")).isEmpty();
        assertThat(other.leases("node-b").acquire("order-list", LONG)).isTrue();
    }
}
