package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.ExpectedVersion;
import dev.relato.InvalidInputException;
import dev.relato.StreamId;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link CheckpointStore} keeps, as a JUnit 5 test suite. A backend extends it with one
 * small subclass implementing {@link #createCheckpointStore()}.
 *
 * <p><b>Lifecycle</b>: {@link #createCheckpointStore()} is called before every test and must return an
 * empty store isolated from every other; {@link #destroyCheckpointStore(CheckpointStore)} is called after
 * every test and by default closes the store if it is {@link AutoCloseable}.
 *
 * <p>Besides positions, the suite checks the durable pause flag ({@link CheckpointStore#pause}) and that a
 * {@link ProjectionRunner} keeping its checkpoint in the store honours it: stops handling while paused and goes on
 * from its checkpoint once resumed.
 */
public abstract class CheckpointStoreContract {
    private CheckpointStore store;

    /** For the subclass of a store module. */
    protected CheckpointStoreContract() {
    }

    /** A new, empty checkpoint store, isolated from every other one this method returns. */
    protected abstract CheckpointStore createCheckpointStore();

    /** Releases what {@link #createCheckpointStore()} made. The default closes the store if it is closeable. */
    protected void destroyCheckpointStore(CheckpointStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The store of the running test, for tests a backend adds in its subclass. */
    protected final CheckpointStore checkpointStore() {
        return store;
    }

    @BeforeEach
    protected final void createStoreUnderTest() {
        store = createCheckpointStore();
        assertThat(store).as("createCheckpointStore() returned null").isNotNull();
    }

    @AfterEach
    protected final void destroyStoreUnderTest() throws Exception {
        if (store != null) {
            destroyCheckpointStore(store);
        }
    }

    private static String consumer() {
        return "projection-" + UUID.randomUUID();
    }

    @Test
    @DisplayName("a consumer without a checkpoint starts at 0")
    void defaultIsZero() {
        assertThat(store.load(consumer())).isZero();
    }

    @Test
    @DisplayName("loadAll lists every stored checkpoint by name, without deleted ones")
    void loadAllListsCheckpoints() {
        String a = "a-" + consumer();
        String b = "b-" + consumer();
        String gone = "c-" + consumer();
        store.save(b, 12);
        store.save(a, 5);
        store.save(a, 7);
        store.save(gone, 3);
        store.delete(gone);
        assertThat(store.loadAll()).containsEntry(a, 7L).containsEntry(b, 12L).doesNotContainKey(gone);
        List<String> names = new ArrayList<>(store.loadAll().keySet());
        assertThat(names.indexOf(a)).as("name order").isLessThan(names.indexOf(b));
    }

    @Test
    @DisplayName("a saved checkpoint loads back; a later save overwrites it, lower or higher")
    void saveAndOverwrite() {
        String c = consumer();
        store.save(c, 17);
        assertThat(store.load(c)).isEqualTo(17);
        store.save(c, 9_000_000_000L);
        assertThat(store.load(c)).isEqualTo(9_000_000_000L);
        store.save(c, 3);
        assertThat(store.load(c)).as("a reset to an earlier position").isEqualTo(3);
        store.save(c, 0);
        assertThat(store.load(c)).isZero();
        store.save(c, Long.MAX_VALUE);
        assertThat(store.load(c)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    @DisplayName("delete forgets the checkpoint; deleting nothing is fine")
    void delete() {
        String c = consumer();
        store.save(c, 5);
        store.delete(c);
        assertThat(store.load(c)).isZero();
        store.delete(c);
        store.delete(consumer());
        store.save(c, 6);
        assertThat(store.load(c)).isEqualTo(6);
    }

    @Test
    @DisplayName("consumers are kept apart, whatever characters their names hold")
    void consumersApart() {
        List<String> names = List.of("orders", "Orders", "orders ", "orders.v2", "orders*", "caf\u00e9 \u65e5\u672c \ud83d\ude00",
                "quote'\"", "per%cent_", "slash/back\\slash", "x".repeat(200));
        for (int i = 0; i < names.size(); i++) {
            store.save(names.get(i), 100 + i);
        }
        for (int i = 0; i < names.size(); i++) {
            assertThat(store.load(names.get(i))).as("consumer '%s'", names.get(i)).isEqualTo(100 + i);
        }
        store.delete("orders");
        assertThat(store.load("orders")).isZero();
        assertThat(store.load("Orders")).isEqualTo(101);
    }

    @Test
    @DisplayName("invalid names and negative positions are rejected, and nothing is stored")
    void validation() {
        List<String> invalid = new ArrayList<>(List.of("", "   ", "x".repeat(201), "a\nb", "tab\there", "lone\uD800"));
        invalid.add(null);
        for (String name : invalid) {
            assertThatThrownBy(() -> store.save(name, 1)).as("save of '%s'", name).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.load(name)).as("load of '%s'", name).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.delete(name)).as("delete of '%s'", name).isInstanceOf(InvalidInputException.class);
        }
        String c = consumer();
        store.save(c, 4);
        assertThatThrownBy(() -> store.save(c, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.load(c)).isEqualTo(4);
    }

    @Test
    @DisplayName("concurrent consumers each keep their own last save")
    void concurrentConsumers() {
        String prefix = consumer();
        Concurrently.run(8, w -> {
            for (long p = 1; p <= 25; p++) {
                store.save(prefix + "-" + w, p * (w + 1));
            }
        });
        for (int w = 0; w < 8; w++) {
            assertThat(store.load(prefix + "-" + w)).isEqualTo(25L * (w + 1));
        }
    }

    @Test
    @DisplayName("pause and resume set a durable flag per consumer, listed by name, apart from the checkpoint")
    void pauseAndResume() {
        String a = "a-" + consumer();
        String b = "b-" + consumer();
        assertThat(store.isPaused(a)).isFalse();
        store.save(a, 8);
        store.pause(a);
        store.pause(a);
        store.pause(b);
        assertThat(store.isPaused(a)).isTrue();
        assertThat(store.isPaused(b)).as("a consumer without a checkpoint can be paused").isTrue();
        assertThat(store.isPaused("c-" + consumer())).isFalse();
        assertThat(store.loadPaused()).contains(a, b);
        List<String> names = new ArrayList<>(store.loadPaused());
        assertThat(names.indexOf(a)).as("name order").isLessThan(names.indexOf(b));
        assertThat(store.load(a)).as("the checkpoint is untouched by a pause").isEqualTo(8);
        assertThat(store.loadAll()).as("a pause is no checkpoint").containsEntry(a, 8L).doesNotContainKey(b);

        store.delete(a);
        store.save(a, 2);
        assertThat(store.isPaused(a)).as("deleting or saving the checkpoint keeps the pause").isTrue();
        store.resume(a);
        store.resume(a);
        store.resume("d-" + consumer());
        assertThat(store.isPaused(a)).isFalse();
        assertThat(store.isPaused(b)).isTrue();
        assertThat(store.loadPaused()).doesNotContain(a).contains(b);
        assertThat(store.load(a)).isEqualTo(2);
        for (String name : List.of("", "a\nb", "x".repeat(201))) {
            assertThatThrownBy(() -> store.pause(name)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.resume(name)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.isPaused(name)).isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    @DisplayName("a runner over this store stops handling while paused and goes on from its checkpoint once resumed")
    void runnerHonoursThePause() throws Exception {
        String name = consumer();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Projection<Set<String>> paid = Projection.<Set<String>>named(name)
                .on(ShopWorkflow.Paid.class, (orders, event, recorded) -> orders.add(event.orderId()))
                .build();
        try (InMemoryEventStore events = InMemoryEventStore.create();
             ProjectionRunner<Set<String>> runner = ProjectionRunner.builder(paid, events, ShopWorkflow.SERIALIZER)
                     .context(seen, store).pollInterval(Duration.ofMillis(50)).start()) {
            pay(events, "o-1");
            Await.until("the first order is handled", () -> seen.contains("o-1"));
            long before = events.headPosition();
            Await.until("the checkpoint is saved", () -> store.load(name) == before);

            store.pause(name);
            Await.until("the runner reports PAUSED", () -> runner.status().state() == ProjectionState.PAUSED,
                    () -> runner.status().toString());
            pay(events, "o-2");
            assertThat(runner.awaitPosition(events.headPosition(), Duration.ofMillis(300)))
                    .as("a paused runner handles nothing").isFalse();
            assertThat(seen).containsExactly("o-1");
            assertThat(store.load(name)).as("the checkpoint stays where it was").isEqualTo(before);

            store.resume(name);
            assertThat(runner.awaitPosition(events.headPosition(), Await.LIMIT)).isTrue();
            assertThat(seen).containsExactlyInAnyOrder("o-1", "o-2");
            assertThat(runner.status().state()).isNotEqualTo(ProjectionState.PAUSED);
        }
    }

    private static void pay(InMemoryEventStore events, String orderId) {
        events.append(StreamId.of("Order", orderId), ExpectedVersion.any(),
                List.of(ShopWorkflow.SERIALIZER.serialize(new ShopWorkflow.Paid(orderId))));
    }
}
