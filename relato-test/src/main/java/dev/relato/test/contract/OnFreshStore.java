package dev.relato.test.contract;

import dev.relato.EventStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The lifecycle of the suites that run on an event store: a new, empty store before every test, released after
 * it. A backend's subclass says how to make one ({@link #createStore()}) and, if closing is not enough, how to
 * release it ({@link #destroyStore}).
 */
public abstract class OnFreshStore {
    private EventStore store;

    /** For the suites of this package. */
    OnFreshStore() {
    }

    /** A new, empty store, isolated from every other store this method returns. */
    protected abstract EventStore createStore();

    /** Releases what {@link #createStore()} made; the default closes the store. */
    protected void destroyStore(EventStore store) {
        store.close();
    }

    /** The store of the running test. */
    protected final EventStore store() {
        return store;
    }

    @BeforeEach
    protected final void createStoreUnderTest() {
        store = createStore();
    }

    @AfterEach
    protected final void destroyStoreUnderTest() {
        if (store != null) {
            destroyStore(store);
        }
    }
}
