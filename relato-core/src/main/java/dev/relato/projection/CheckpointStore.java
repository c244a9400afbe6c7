package dev.relato.projection;

import dev.relato.internal.Text;
import java.util.SortedMap;

/**
 * Durable positions of asynchronous consumers: for each consumer name, the global position of the last
 * event it has fully handled. A consumer restarts after its checkpoint, so a lost save costs re-handling
 * (at-least-once), never a skipped event. Implementations are thread-safe.
 */
public interface CheckpointStore {

    /** The consumer's checkpoint; 0 if it has none (start from the beginning). */
    long load(String consumer);

    /**
     * Stores the consumer's checkpoint.
     *
     * @throws dev.relato.InvalidInputException if the name is not a valid consumer name
     * @throws IllegalArgumentException          if the position is negative
     */
    void save(String consumer, long position);

    /** Forgets the consumer's checkpoint, so it starts again from the beginning. */
    void delete(String consumer);

    /**
     * Every stored checkpoint, by consumer name in name order: what operators list. Stores of Relato's modules all
     * list theirs; this default, for stores written elsewhere, refuses.
     *
     * @throws UnsupportedOperationException if this store cannot list its checkpoints
     */
    default SortedMap<String, Long> loadAll() {
        throw new UnsupportedOperationException(getClass().getName() + " cannot list its checkpoints");
    }

    /** Checks a consumer name: 1 to 200 characters, not blank, no control character or unpaired surrogate. */
    static String validateName(String consumer) {
        return Text.requireName(consumer, "consumer name", 200);
    }
}
