package dev.relato.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Base class of an aggregate in the object style: intention-revealing methods check the command against
 * the current fields and {@link #raise} events; each raised event is {@link #apply applied} at once and
 * kept as uncommitted until {@link AggregateRootRepository} saves it.
 *
 * <pre>{@code
 * public final class Order extends AggregateRoot<OrderEvent> {
 *     private boolean confirmed;
 *
 *     public void confirm() {
 *         if (confirmed) throw new IllegalStateException("already confirmed");
 *         raise(new OrderConfirmed(id()));
 *     }
 *
 *     protected void apply(OrderEvent event) {
 *         if (event instanceof OrderConfirmed) confirmed = true;
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #apply} rebuilds state from stored events too, so it must only assign fields, never check or
 * throw. The bookkeeping fields of this class are {@code transient}, so a codec such as Jackson ignores
 * them when a repository saves the root as a snapshot; a subclass that takes snapshots must be readable and
 * writable by the repository's {@link dev.relato.serialization.EventCodec} and have a no-argument constructor
 * or a creator the codec understands.
 *
 * <p>Not thread-safe: a root instance belongs to one thread (one command) at a time; concurrent commands
 * load their own instances and are serialized by the store's optimistic concurrency.
 *
 * @param <E> the event type
 */
public abstract class AggregateRoot<E> {
    private transient String id;
    private transient long version;
    private transient List<E> uncommitted = new ArrayList<>();

    protected AggregateRoot() {
    }

    /** Changes the fields to reflect {@code event}. Called for raised and for stored events alike. */
    protected abstract void apply(E event);

    /** Applies the event now and keeps it to be appended at the next save. */
    protected final void raise(E event) {
        Objects.requireNonNull(event, "event must not be null");
        apply(event);
        pending().add(event);
    }

    /**
     * The id of the aggregate's stream within its category.
     *
     * @throws IllegalStateException if the root has not been loaded, created or rehydrated yet
     */
    public final String id() {
        if (id == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no id yet: roots get it when a "
                    + "repository loads or creates them, or from rehydrate(id, history)");
        }
        return id;
    }

    /** The stream version of the last stored event applied: 0 for a new root. Raised events do not count until saved. */
    public final long version() {
        return version;
    }

    /** The events raised since the root was loaded or last saved, oldest first; an unmodifiable copy. */
    public final List<E> uncommittedEvents() {
        return List.copyOf(pending());
    }

    /** Whether events were raised since the root was loaded or last saved. */
    public final boolean hasUncommittedEvents() {
        return !pending().isEmpty();
    }

    /**
     * Gives a fresh root its id and applies stored events to it, without recording them as uncommitted;
     * its version becomes the number of events. Repositories use it when loading; test fixtures use it to
     * set up a history.
     *
     * @throws IllegalStateException if the root already has an id, a version or uncommitted events
     */
    public final void rehydrate(String id, List<? extends E> history) {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(history, "history must not be null");
        if (this.id != null || version != 0 || !pending().isEmpty()) {
            throw new IllegalStateException("rehydrate needs a fresh root; " + getClass().getSimpleName() + " '"
                    + this.id + "' is at version " + version + " with " + pending().size() + " uncommitted events");
        }
        this.id = id;
        for (E event : history) {
            applyStored(event);
        }
    }

    final void applyStored(E event) {
        apply(event);
        version++;
    }

    final void restore(String restoredId, long restoredVersion) {
        this.id = restoredId;
        this.version = restoredVersion;
    }

    final void markCommitted(long newVersion) {
        pending().clear();
        version = newVersion;
    }

    private List<E> pending() {
        if (uncommitted == null) { // a codec that bypasses constructors (and field initialisers)
            uncommitted = new ArrayList<>();
        }
        return uncommitted;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[id=" + id + ", version=" + version + ", uncommitted=" + pending() + "]";
    }
}
