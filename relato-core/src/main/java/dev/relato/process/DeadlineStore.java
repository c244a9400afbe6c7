package dev.relato.process;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Where deadlines wait, durably, beside the events: every store offers one ({@code deadlines()}), and an in-memory
 * one serves tests. A {@link ProcessEngine} schedules and cancels them as its process manager decides, and fires
 * those {@linkplain #due due}, removing each once its firing is recorded.
 *
 * <p>Implementations are thread-safe and shared by any number of engines and nodes. Failures of the backend
 * surface as {@link dev.relato.StoreUnavailableException} (transient) or {@link dev.relato.StoreFailureException}.
 */
public interface DeadlineStore {

    /** Stores {@code deadline}, replacing the one with the same id (the same process, instance and name). */
    void schedule(Deadline deadline);

    /** Removes the deadline with this id; whether there was one. */
    boolean cancel(UUID id);

    /** The deadline with this id, if scheduled. */
    java.util.Optional<Deadline> find(UUID id);

    /**
     * Up to {@code limit} deadlines of process {@code process} due at or before {@code now}, earliest first.
     *
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    List<Deadline> due(String process, Instant now, int limit);

    /**
     * Removes {@code deadline} if it is still scheduled with the same due time (not moved meanwhile); whether it
     * was removed.
     */
    boolean remove(Deadline deadline);

    /**
     * Checks the arguments of {@link #due}, for implementations.
     *
     * @throws NullPointerException     if {@code process} or {@code now} is null
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    static void checkDue(String process, Instant now, int limit) {
        java.util.Objects.requireNonNull(process, "process must not be null");
        java.util.Objects.requireNonNull(now, "now must not be null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }
}
