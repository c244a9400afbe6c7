package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.process.Deadline;
import dev.relato.process.DeadlineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link DeadlineStore} keeps, as a JUnit 5 suite. A backend extends it with
 * {@link #createDeadlineStore()}, called before every test for a new, empty store, and
 * {@link #destroyDeadlineStore} if closing is not enough.
 */
public abstract class DeadlineStoreContract {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.123Z");

    private DeadlineStore store;

    /** For the subclass of a store module. */
    protected DeadlineStoreContract() {
    }

    /** A new, empty deadline store, isolated from every other one this method returns. */
    protected abstract DeadlineStore createDeadlineStore();

    /** Releases what {@link #createDeadlineStore()} made; the default closes it if it is closeable. */
    protected void destroyDeadlineStore(DeadlineStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The store of the running test. */
    protected final DeadlineStore deadlineStore() {
        return store;
    }

    @BeforeEach
    protected final void createStoreUnderTest() {
        store = createDeadlineStore();
    }

    @AfterEach
    protected final void destroyStoreUnderTest() throws Exception {
        if (store != null) {
            destroyDeadlineStore(store);
        }
    }

    private static Deadline deadline(String process, String instance, String name, Instant due) {
        return Deadline.of(process, instance, name, due);
    }

    @Test
    void aScheduledDeadlineIsFoundAndDueOnceItsTimeHasCome() {
        Deadline payment = deadline("Fulfilment", "o-1", "payment", NOW.plusSeconds(60));
        store.schedule(payment);

        assertThat(store.find(payment.id())).contains(payment);
        assertThat(store.due("Fulfilment", NOW, 10)).isEmpty();
        assertThat(store.due("Fulfilment", NOW.plusSeconds(60), 10)).containsExactly(payment);
        assertThat(store.due("Other", NOW.plusSeconds(60), 10)).as("other processes' deadlines").isEmpty();
    }

    @Test
    void schedulingTheSameNameAgainMovesTheDeadline() {
        store.schedule(deadline("Fulfilment", "o-1", "payment", NOW));
        Deadline moved = deadline("Fulfilment", "o-1", "payment", NOW.plus(Duration.ofHours(1)));
        store.schedule(moved);

        assertThat(store.find(moved.id())).contains(moved);
        assertThat(store.due("Fulfilment", NOW, 10)).isEmpty();
    }

    @Test
    void dueDeadlinesComeEarliestFirstUpToTheLimit() {
        Deadline late = deadline("Fulfilment", "o-1", "payment", NOW.minusSeconds(1));
        Deadline early = deadline("Fulfilment", "o-2", "payment", NOW.minusSeconds(30));
        Deadline earliest = deadline("Fulfilment", "o-3", "payment", NOW.minusSeconds(90));
        store.schedule(late);
        store.schedule(early);
        store.schedule(earliest);

        assertThat(store.due("Fulfilment", NOW, 10)).containsExactly(earliest, early, late);
        assertThat(store.due("Fulfilment", NOW, 2)).containsExactly(earliest, early);
    }

    @Test
    void aCancelledDeadlineIsGone() {
        Deadline payment = deadline("Fulfilment", "o-1", "payment", NOW);
        store.schedule(payment);

        assertThat(store.cancel(payment.id())).isTrue();
        assertThat(store.cancel(payment.id())).isFalse();
        assertThat(store.find(payment.id())).isEmpty();
        assertThat(store.due("Fulfilment", NOW, 10)).isEmpty();
    }

    @Test
    void removeTakesOnlyTheDeadlineAsItWasDueNotOneMovedMeanwhile() {
        Deadline first = deadline("Fulfilment", "o-1", "payment", NOW);
        store.schedule(first);
        Deadline moved = deadline("Fulfilment", "o-1", "payment", NOW.plusSeconds(5));
        store.schedule(moved);

        assertThat(store.remove(first)).isFalse();
        assertThat(store.find(moved.id())).contains(moved);
        assertThat(store.remove(moved)).isTrue();
        assertThat(store.find(moved.id())).isEmpty();
    }

    @Test
    void badInputIsAClearErrorAndChangesNothing() {
        assertThatThrownBy(() -> store.due("Fulfilment", NOW, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
        assertThatThrownBy(() -> new Deadline(UUID.randomUUID(), "Fulfilment", "o-1", "payment", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.find(Deadline.idOf("Fulfilment", "o-1", "payment"))).isEmpty();
    }
}
