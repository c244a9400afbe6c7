package dev.relato.projection;

import java.util.List;
import java.util.Optional;

/**
 * Where projections keep the events they skipped ({@link FailurePolicy.Exhausted#SKIP}), one entry per
 * projection and position. Implementations are thread-safe; backend failures surface as
 * {@link dev.relato.StoreUnavailableException}.
 */
public interface DeadLetterStore {

    /** Stores the dead letter, replacing one of the same projection and position (a skip repeated after a crash). */
    void add(DeadLetter deadLetter);

    /** The projection's dead letters, by position. */
    List<DeadLetter> list(String projection);

    /** The projection's dead letter at {@code position}, if any. */
    Optional<DeadLetter> find(String projection, long position);

    /** Removes the projection's dead letter at {@code position}; returns whether there was one. */
    boolean remove(String projection, long position);
}
