package dev.relato.nats;

import dev.relato.StreamId;
import io.nats.client.JetStreamApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each truncated stream now begins: a key-value bucket ({@code <stream>-truncations}) with one key per
 * truncated event stream. A truncation removes whole messages below the one holding the first kept version; that
 * message may also hold events below it, which stay stored and are hidden by the stream's {@link Floor}. Values are
 * ASCII {@code <sequence> <version>}. Floors only rise (compare-and-set on the key's revision). Thread-safe.
 *
 * <p>The global log needs the floors of every stream it meets: {@link #all()} keeps them in memory and on every call
 * asks the bucket's leader for the entries written since (one get when there are none), so a truncation finished in
 * any process is seen by every later read.
 */
final class Truncations {
    private static final Logger LOG = LoggerFactory.getLogger(Truncations.class);
    private static final int RAISE_ATTEMPTS = 10;

    /**
     * Events of a stream hidden by a truncation: those in messages up to {@code sequence} (the message holding the
     * first kept version; the ones below are removed) with a version below {@code version}. Messages after it,
     * including those of the stream written anew after a delete, are never hidden.
     */
    record Floor(long sequence, long version) {
        boolean hides(long messageSequence, long eventVersion) {
            return messageSequence <= sequence && eventVersion < version;
        }

        /** Whether this floor removes at least what {@code other} does. */
        boolean covers(Floor other) {
            return sequence > other.sequence || (sequence == other.sequence && version >= other.version);
        }
    }

    /** The floors as of a revision of the bucket. */
    private record Loaded(long lastRevision, Map<StreamId, Floor> floors) {
    }

    private final KeyValueBucket bucket;
    private volatile Loaded loaded = new Loaded(0, Map.of());

    Truncations(KeyValueBucket bucket) {
        this.bucket = bucket;
    }

    /** The floor of a stream, if it was ever truncated. */
    Optional<Floor> of(StreamId stream) throws IOException, JetStreamApiException, InterruptedException {
        return bucket.current(Names.streamKey(stream)).flatMap(Truncations::parse);
    }

    /** Every stream's floor, as of now: the ones known, updated with the changes written since. */
    Map<StreamId, Floor> all() throws IOException, JetStreamApiException, InterruptedException {
        Loaded current = loaded;
        List<KeyValueBucket.Entry> changes = bucket.changesAfter(">", current.lastRevision());
        if (changes.isEmpty()) {
            return current.floors();
        }
        Map<StreamId, Floor> floors = new HashMap<>(current.floors());
        long last = current.lastRevision();
        for (KeyValueBucket.Entry entry : changes) {
            last = Math.max(last, entry.revision());
            StreamId stream;
            try {
                stream = Names.parseStreamKey(entry.key());
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring key '{}' of bucket '{}': not a stream", entry.key(), bucket.name());
                continue;
            }
            Optional<Floor> floor = parse(entry);
            if (floor.isPresent()) {
                floors.put(stream, floor.get());
            } else {
                floors.remove(stream);
            }
        }
        Map<StreamId, Floor> copy = Map.copyOf(floors);
        Loaded updated = new Loaded(last, copy);
        synchronized (this) {
            if (loaded.lastRevision() < last) {
                loaded = updated;
            }
        }
        return copy;
    }

    /**
     * Raises a stream's floor to {@code floor}, unless it already removes as much.
     *
     * @throws IOException if the key kept changing under it
     */
    void raise(StreamId stream, Floor floor) throws IOException, JetStreamApiException, InterruptedException {
        String key = Names.streamKey(stream);
        byte[] value = (floor.sequence() + " " + floor.version()).getBytes(StandardCharsets.US_ASCII);
        for (int attempt = 0; attempt < RAISE_ATTEMPTS; attempt++) {
            Optional<KeyValueBucket.Entry> entry = bucket.get(key);
            Optional<Floor> existing = entry.flatMap(Truncations::parse);
            if (existing.isPresent() && existing.get().covers(floor)) {
                return;
            }
            if (bucket.update(key, value, entry.map(KeyValueBucket.Entry::revision).orElse(0L)).isPresent()) {
                return;
            }
        }
        throw new IOException("the truncation record of stream '" + stream + "' kept changing under this truncation");
    }

    /** Forgets a stream's floor once its messages are gone; a floor changed meanwhile is kept. */
    void clear(StreamId stream) throws IOException, JetStreamApiException, InterruptedException {
        String key = Names.streamKey(stream);
        Optional<KeyValueBucket.Entry> entry = bucket.current(key);
        if (entry.isPresent()) {
            bucket.delete(key, entry.get().revision());
        }
    }

    private static Optional<Floor> parse(KeyValueBucket.Entry entry) {
        if (entry.deleted()) {
            return Optional.empty();
        }
        String text = new String(entry.value(), StandardCharsets.US_ASCII);
        String[] parts = text.split(" ");
        try {
            if (parts.length == 2) {
                return Optional.of(new Floor(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn("truncation record '{}' of key '{}' is not readable; ignoring it", text, entry.key());
        return Optional.empty();
    }
}
