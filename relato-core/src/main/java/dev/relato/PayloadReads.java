package dev.relato;

import java.util.List;
import java.util.UUID;

/**
 * A store that can read a stream as loading an aggregate needs it: each event's version, id, type, schema version
 * and payload, without the rest of its {@link RecordedEvent} (position, times, metadata), which the store then need
 * not fetch, convert or allocate. A repository folds these when its store offers them, and
 * {@link EventStore#read} otherwise. Relato's SQLite and PostgreSQL stores offer them, and so does a
 * {@link dev.relato.privacy.PersonalDataStore} (decrypted).
 *
 * <p>Implement it only where the result is exactly the events {@code read} returns for the same arguments, field
 * for field: a store that changes events on their way out and forwards to another store must change the payloads
 * it reads as its {@code read} changes the events (as {@link dev.relato.privacy.PersonalDataStore} decrypts them),
 * never hand out the other store's as they are. Thread-safe as the store is; fails as {@code read} does.
 */
public interface PayloadReads {

    /**
     * The events of {@code stream} selected by {@code read}, in its order, as {@link EventStore#read}
     * returns them, with only the fields a fold needs.
     */
    List<StoredPayload> readPayloads(StreamId stream, StreamRead read);

    /**
     * The payload reads of {@code store}: its own if it offers them, otherwise its {@link EventStore#read}s cut down
     * to the same fields (no cheaper, but the same answer).
     */
    static PayloadReads of(EventStore store) {
        if (store instanceof PayloadReads own) {
            return own;
        }
        return (stream, read) -> store.read(stream, read).stream().map(e -> new StoredPayload(e.streamVersion(),
                e.eventId(), e.type(), e.schemaVersion(), e.payload())).toList();
    }

    /**
     * What a fold needs of one stored event.
     *
     * @param streamVersion its number in the stream
     * @param eventId       its id (a command bus recognises its own retries by it)
     * @param type          its stored type name
     * @param schemaVersion its schema version as stored
     * @param payload       its data as JSON text
     */
    record StoredPayload(long streamVersion, UUID eventId, String type, int schemaVersion, String payload) {
    }
}
