package dev.relato.projection;

import java.util.List;
import java.util.Optional;

/**
 * Where projections keep the events they skipped ({@link FailurePolicy.Exhausted#SKIP}), one entry per
 * projection and position. Implementations are thread-safe; backend failures surface as
 * {@link dev.relato.StoreUnavailableException}.
 *
 * <p><b>Replay requests.</b> An operator in any process asks for a dead letter to be handed to its projection's
 * handler again with {@link #requestReplay}: the request is stored with the dead letter, and the projection's
 * {@link ProjectionRunner} replays it within about its poll interval (then, on success, it removes the dead letter;
 * on a new failure it {@linkplain #add adds} it again with the new error). Adding or removing a dead letter ends its
 * request.
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

    /**
     * Asks the projection's runner to replay its dead letter at {@code position}. Asking twice is fine. Stores of
     * Relato's modules all keep requests; this default, for stores written elsewhere, refuses.
     *
     * @return whether there is such a dead letter (nothing is stored if not)
     * @throws dev.relato.InvalidInputException if the name is not a valid projection name
     * @throws UnsupportedOperationException    if this store cannot keep replay requests
     */
    default boolean requestReplay(String projection, long position) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot keep replay requests");
    }

    /**
     * The positions of the projection's dead letters whose replay was requested, ascending. The default, for stores
     * that cannot keep requests, is none.
     */
    default List<Long> replayRequests(String projection) {
        CheckpointStore.validateName(projection);
        return List.of();
    }
}
