package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.FailurePolicy;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link DeadLetterStore} keeps, as a JUnit 5 test suite. A backend extends it with one
 * small subclass implementing {@link #createDeadLetterStore()}.
 *
 * <p><b>Lifecycle</b>: {@link #createDeadLetterStore()} is called before every test and must return an empty
 * store isolated from every other; {@link #destroyDeadLetterStore(DeadLetterStore)} is called after every test
 * and by default closes the store if it is {@link AutoCloseable}.
 *
 * <p>Besides the dead letters, the suite checks replay requests ({@link DeadLetterStore#requestReplay}) and that a
 * {@link ProjectionRunner} keeping its dead letters in the store carries them out.
 */
public abstract class DeadLetterStoreContract {
    private static final Instant AT = Instant.parse("2024-05-01T10:00:00.123456Z");

    private DeadLetterStore store;

    /** For the subclass of a store module. */
    protected DeadLetterStoreContract() {
    }

    /** A new, empty dead-letter store, isolated from every other one this method returns. */
    protected abstract DeadLetterStore createDeadLetterStore();

    /** Releases what {@link #createDeadLetterStore()} made. The default closes the store if it is closeable. */
    protected void destroyDeadLetterStore(DeadLetterStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @BeforeEach
    protected final void createStoreUnderTest() {
        store = createDeadLetterStore();
        assertThat(store).as("createDeadLetterStore() returned null").isNotNull();
    }

    @AfterEach
    protected final void destroyStoreUnderTest() throws Exception {
        if (store != null) {
            destroyDeadLetterStore(store);
        }
    }

    private static DeadLetter letter(String projection, long position, String error, int attempts) {
        return new DeadLetter(projection, position, UUID.randomUUID(), StreamId.of("Order", "o-" + position), 3,
                "OrderPlaced", error, "java.lang.IllegalStateException: " + error + "\n\tat Handler.handle(Handler.java:1)",
                attempts, AT.plus(position, ChronoUnit.SECONDS));
    }

    @Test
    @DisplayName("a projection without dead letters lists none")
    void emptyByDefault() {
        assertThat(store.list("order-list")).isEmpty();
        assertThat(store.find("order-list", 1)).isEmpty();
        assertThat(store.remove("order-list", 1)).isFalse();
    }

    @Test
    @DisplayName("dead letters read back whole, listed by position, per projection")
    void addListFind() {
        DeadLetter late = letter("order-list", 90, "late", 3);
        DeadLetter early = letter("order-list", 7, "early", 1);
        DeadLetter other = letter("invoices", 7, "other", 2);
        store.add(late);
        store.add(early);
        store.add(other);

        assertThat(store.list("order-list")).containsExactly(early, late);
        assertThat(store.list("invoices")).containsExactly(other);
        assertThat(store.find("order-list", 90)).contains(late);
        assertThat(store.find("order-list", 8)).isEmpty();
    }

    @Test
    @DisplayName("a second dead letter at the same projection and position replaces the first")
    void replace() {
        store.add(letter("order-list", 5, "first failure", 1));
        DeadLetter again = letter("order-list", 5, "second failure", 2);
        store.add(again);
        assertThat(store.list("order-list")).containsExactly(again);
    }

    @Test
    @DisplayName("removing a dead letter removes that one only")
    void remove() {
        DeadLetter keep = letter("order-list", 1, "keep", 1);
        store.add(keep);
        store.add(letter("order-list", 2, "drop", 1));
        store.add(letter("invoices", 2, "other projection", 1));

        assertThat(store.remove("order-list", 2)).isTrue();
        assertThat(store.remove("order-list", 2)).isFalse();
        assertThat(store.list("order-list")).containsExactly(keep);
        assertThat(store.list("invoices")).hasSize(1);
    }

    @Test
    @DisplayName("replay requests are kept per dead letter, listed by position, and end when it is added or removed")
    void replayRequests() {
        store.add(letter("order-list", 9, "late", 1));
        store.add(letter("order-list", 4, "early", 1));
        store.add(letter("order-list", 6, "not asked", 1));
        store.add(letter("invoices", 4, "other projection", 1));
        assertThat(store.replayRequests("order-list")).isEmpty();

        assertThat(store.requestReplay("order-list", 9)).isTrue();
        assertThat(store.requestReplay("order-list", 4)).isTrue();
        assertThat(store.requestReplay("order-list", 4)).as("asking twice").isTrue();
        assertThat(store.requestReplay("order-list", 5)).as("no dead letter there").isFalse();
        assertThat(store.replayRequests("order-list")).containsExactly(4L, 9L);
        assertThat(store.replayRequests("invoices")).isEmpty();
        assertThat(store.find("order-list", 4)).as("a request leaves the dead letter as it is").isPresent();

        store.add(letter("order-list", 4, "failed again", 2));
        assertThat(store.replayRequests("order-list")).as("a new failure ends the request").containsExactly(9L);
        store.remove("order-list", 9);
        assertThat(store.replayRequests("order-list")).as("a removal ends the request").isEmpty();
        assertThat(store.list("order-list")).hasSize(2);
    }

    @Test
    @DisplayName("a runner keeping its dead letters here replays those an operator asked for")
    void runnerReplaysRequests() throws Exception {
        String name = "projection-" + UUID.randomUUID();
        AtomicBoolean healed = new AtomicBoolean();
        Set<String> paid = ConcurrentHashMap.newKeySet();
        Projection<Set<String>> projection = Projection.<Set<String>>named(name)
                .on(ShopWorkflow.Paid.class, (orders, event, recorded) -> {
                    if (event.orderId().equals("o-bad") && !healed.get()) {
                        throw new IllegalStateException("cannot handle " + event.orderId() + " yet");
                    }
                    orders.add(event.orderId());
                })
                .build();
        try (InMemoryEventStore events = InMemoryEventStore.create();
             ProjectionRunner<Set<String>> runner = ProjectionRunner.builder(projection, events, ShopWorkflow.SERIALIZER)
                     .context(paid, new InMemoryCheckpointStore()).deadLetters(store)
                     .failurePolicy(FailurePolicy.retry(1, Duration.ofMillis(1)).thenSkip())
                     .pollInterval(Duration.ofMillis(50)).start()) {
            pay(events, "o-bad");
            pay(events, "o-good");
            assertThat(runner.awaitPosition(events.headPosition(), Await.LIMIT)).isTrue();
            assertThat(paid).containsExactly("o-good");
            List<DeadLetter> letters = store.list(name);
            assertThat(letters).hasSize(1);
            long position = letters.get(0).position();

            assertThat(store.requestReplay(name, position)).isTrue();
            Await.until("the failing replay is recorded", () -> store.replayRequests(name).isEmpty());
            assertThat(store.find(name, position)).as("failed again: kept with the new attempt").isPresent();
            assertThat(paid).doesNotContain("o-bad");

            healed.set(true);
            assertThat(store.requestReplay(name, position)).isTrue();
            Await.until("the replayed dead letter is removed", () -> store.find(name, position).isEmpty());
            assertThat(paid).containsExactlyInAnyOrder("o-good", "o-bad");
            assertThat(store.replayRequests(name)).isEmpty();
        }
    }

    private static void pay(InMemoryEventStore events, String orderId) {
        events.append(StreamId.of("Order", orderId), ExpectedVersion.any(),
                List.of(ShopWorkflow.SERIALIZER.serialize(new ShopWorkflow.Paid(orderId))));
    }
}
