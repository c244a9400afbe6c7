package dev.relato.spring;

import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;

/**
 * One configured store as the auto-configuration uses it: the store itself, the view that joins the transaction
 * Spring has in progress, and how an asynchronous projection runs on it. Thread-safe.
 */
abstract class RelatoStore {
    private final EventStore store;
    private final EventStore transactional;

    RelatoStore(EventStore store, EventStore transactional) {
        this.store = store;
        this.transactional = transactional;
    }

    /** The store as built, which the context closes. */
    final EventStore store() {
        return store;
    }

    /**
     * The store as the application sees it: inside a Spring-managed transaction, reads and appends go through that
     * transaction; outside one, each append commits on its own. Inline projections run with the appends.
     */
    final EventStore transactional() {
        return transactional;
    }

    /**
     * A runner for {@code projection} with its checkpoint and dead letters in this store: in the read model's
     * transaction on the SQL stores (the handlers' context is the transaction's {@link java.sql.Connection}), at
     * least once elsewhere (the context is the store).
     *
     * @param events where the runner reads the events: the store, or a view that decrypts personal data
     */
    abstract ProjectionRunner.Builder<?> runner(Projection<?> projection, EventSerializer serializer,
                                                EventStore events);

    /** Where the wrapped data keys of personal data are kept, beside the events. */
    abstract DataKeyStore dataKeys();

    /** Where the runners of {@link #runner} keep their checkpoints and the operators' pauses. */
    abstract CheckpointStore checkpoints();

    /** Where the runners of {@link #runner} keep the events they skipped. */
    abstract DeadLetterStore deadLetters();
}
