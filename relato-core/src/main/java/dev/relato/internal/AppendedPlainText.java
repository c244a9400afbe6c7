package dev.relato.internal;

import dev.relato.RecordedEvent;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The plain text of the events an append on this thread is writing, for the inline projections it runs: a
 * {@link dev.relato.privacy.PersonalDataStore} hands the wrapped store encrypted payloads, and an inline projection
 * beneath it (run inside the wrapped store's append, on the appending thread) must see the events as they were
 * given, not their ciphertext. The personal data store sets the payloads around its call to the wrapped store;
 * {@link dev.relato.projection.InlineProjections} puts them back into the records it hands to handlers. Not part of
 * the API. Thread-safe: the payloads are the current thread's.
 */
public final class AppendedPlainText {
    private static final ThreadLocal<Map<UUID, String>> PAYLOADS = new ThreadLocal<>();

    private AppendedPlainText() {
    }

    /** Runs {@code append} with {@code payloads} (plain payloads by event id) visible to inline projections. */
    public static <T> T during(Map<UUID, String> payloads, Supplier<T> append) {
        Map<UUID, String> outer = PAYLOADS.get();
        PAYLOADS.set(payloads);
        try {
            return append.get();
        } finally {
            if (outer == null) {
                PAYLOADS.remove();
            } else {
                PAYLOADS.set(outer);
            }
        }
    }

    /** The record with the plain payload its append on this thread gave, or the record itself if none. */
    public static RecordedEvent of(RecordedEvent record) {
        Map<UUID, String> payloads = PAYLOADS.get();
        String payload = payloads == null ? null : payloads.get(record.eventId());
        return payload == null ? record : withPayload(record, payload);
    }

    /** The record with another payload. */
    public static RecordedEvent withPayload(RecordedEvent r, String payload) {
        return new RecordedEvent(r.eventId(), r.streamId(), r.streamVersion(), r.position(), r.type(),
                r.schemaVersion(), payload, r.metadata(), r.recordedAt(), r.occurredAt());
    }
}
