package dev.relato.spring;

import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A store without SQL transactions (memory, NATS): appends commit one by one, inside a Spring transaction or not;
 * projections keep their checkpoint in {@code checkpoints} and handle each event at least once, with the store as
 * their context. Thread-safe.
 */
final class PlainRelatoStore extends RelatoStore {
    private final CheckpointStore checkpoints;
    private final DeadLetterStore deadLetters;
    private final Supplier<DataKeyStore> dataKeys;

    /** @param dataKeys the data keys beside the events, made on first use */
    PlainRelatoStore(EventStore store, CheckpointStore checkpoints, DeadLetterStore deadLetters,
                     Supplier<DataKeyStore> dataKeys) {
        super(store, new TransactionalEventStore(store) {
            @Override
            <T> T inCurrent(Function<EventStore, T> call) {
                return call.apply(store);
            }
        });
        this.checkpoints = checkpoints;
        this.deadLetters = deadLetters;
        this.dataKeys = dataKeys;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    ProjectionRunner.Builder<?> runner(Projection<?> projection, EventSerializer serializer, EventStore events) {
        return ProjectionRunner.builder((Projection<Object>) (Projection) projection, events, serializer)
                .context(events, checkpoints)
                .deadLetters(deadLetters);
    }

    @Override
    DataKeyStore dataKeys() {
        return dataKeys.get();
    }

    @Override
    CheckpointStore checkpoints() {
        return checkpoints;
    }

    @Override
    DeadLetterStore deadLetters() {
        return deadLetters;
    }
}
