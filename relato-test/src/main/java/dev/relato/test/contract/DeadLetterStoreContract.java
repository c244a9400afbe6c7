package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.StreamId;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
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
}
