package dev.relato.projection;

import dev.relato.internal.Text;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Durable positions of asynchronous consumers: for each consumer name, the global position of the last
 * event it has fully handled. A consumer restarts after its checkpoint, so a lost save costs re-handling
 * (at-least-once), never a skipped event. Implementations are thread-safe.
 *
 * <p><b>Pauses.</b> An operator pauses a consumer with {@link #pause}: the flag is stored durably beside the
 * checkpoint (every process sharing the store sees it), and a {@link ProjectionRunner} of that name stops handling
 * events within about its poll interval, holding its checkpoint, until {@link #resume}. The flag is independent of
 * the checkpoint: {@link #save} and {@link #delete} leave it as it is, so a paused projection can be reset or
 * rebuilt before it resumes.
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

    /**
     * Pauses the consumer: its runners stop handling events until {@link #resume}. Pausing a paused consumer, or
     * one without a checkpoint, is fine. Stores of Relato's modules all pause; this default, for stores written
     * elsewhere, refuses.
     *
     * @throws dev.relato.InvalidInputException if the name is not a valid consumer name
     * @throws UnsupportedOperationException    if this store cannot keep pauses
     */
    default void pause(String consumer) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot pause consumers");
    }

    /**
     * Lifts the consumer's pause: its runners go on from its checkpoint. Resuming a consumer that is not paused is
     * fine. The default, for stores written elsewhere, refuses.
     *
     * @throws dev.relato.InvalidInputException if the name is not a valid consumer name
     * @throws UnsupportedOperationException    if this store cannot keep pauses
     */
    default void resume(String consumer) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot pause consumers");
    }

    /**
     * Whether the consumer is paused. The default, for stores that cannot keep pauses, is never.
     *
     * @throws dev.relato.InvalidInputException if the name is not a valid consumer name
     */
    default boolean isPaused(String consumer) {
        validateName(consumer);
        return false;
    }

    /** The names of the paused consumers, in name order. The default, for stores that cannot keep pauses, is none. */
    default SortedSet<String> loadPaused() {
        return Collections.emptySortedSet();
    }

    /** Checks a consumer name: 1 to 200 characters, not blank, no control character or unpaired surrogate. */
    static String validateName(String consumer) {
        return Text.requireName(consumer, "consumer name", 200);
    }
}
