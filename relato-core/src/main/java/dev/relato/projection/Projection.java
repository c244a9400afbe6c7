package dev.relato.projection;

import dev.relato.EventDecodingException;
import dev.relato.EventFilter;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamNotice;
import dev.relato.serialization.EventSerializer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What a projection does, independent of how it is run: its name (the key of its checkpoint), the
 * handlers that update a read model per event class, and optionally the stream categories it follows.
 * Runners drive it by reading or subscribing with {@link #filter(EventSerializer)} and passing each
 * record to {@link #handle}: an inline runner inside the append's SQL transaction, or an asynchronous one
 * that saves a checkpoint after each handled position.
 *
 * <pre>{@code
 * Projection<Connection> orderList = Projection.<Connection>named("order-list")
 *         .on(OrderPlaced.class, (sql, e, rec) -> insertOrder(sql, e, rec.position()))
 *         .on(OrderConfirmed.class, (sql, e, rec) -> markConfirmed(sql, e))
 *         .build();
 * }</pre>
 *
 * <p>Handlers receive a context of the user's choosing ({@code C}): a JDBC connection in the runner's
 * transaction, an in-memory read model, and so on. A {@link LiveAwareHandler} is also told whether the event is
 * live, the same way in every kind of run: inline projections see only live events; an asynchronous runner's
 * events are live once it has caught up with the log, not while it catches up; a rebuild and a replay see none. A handler registered for an interface or superclass
 * receives every event of its subclasses that has no handler of its own; events without a handler are
 * ignored. Delivery is at least once under an asynchronous runner, so handlers should be idempotent
 * (the record's position or event id helps).
 *
 * <p>A projection told of removed streams ({@link Builder#onStreamDeleted}, {@link Builder#onStreamTruncated}) also
 * receives the {@link StreamNotice notices} of the streams it follows, in position order with their events: after
 * the last event of a deleted stream it has seen, before any event of the stream started again. A runner advances the
 * projection's checkpoint past a notice as past an event, in the same transaction where the runner has one; a rebuild
 * meets the notices too, after the remaining events before them.
 *
 * <p>Immutable and thread-safe; whether handlers may run concurrently depends on their context, and
 * runners call {@link #handle} for one projection from one thread at a time.
 *
 * @param <C> the handlers' context type
 */
public final class Projection<C> {
    private final String name;
    private final Map<Class<?>, LiveAwareHandler<C, Object>> handlers;
    private final Set<String> categories;
    private final Map<StreamNotice.Kind, NoticeHandler<C>> noticeHandlers;
    private final ConcurrentMap<Class<?>, Optional<LiveAwareHandler<C, Object>>> dispatch = new ConcurrentHashMap<>();
    private volatile TypeNames typeNames;

    private Projection(Builder<C> builder) {
        this.name = builder.name;
        this.handlers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.handlers));
        this.categories = Set.copyOf(builder.categories);
        this.noticeHandlers = Map.copyOf(builder.noticeHandlers);
    }

    /**
     * Starts a projection definition.
     *
     * @param name 1 to 200 characters, not blank, no control characters; the name under which runners keep
     *             its checkpoint
     * @throws IllegalArgumentException if the name is invalid
     */
    public static <C> Builder<C> named(String name) {
        return new Builder<>(CheckpointStore.validateName(name));
    }

    public String name() {
        return name;
    }

    /** The event classes (or interfaces) that have a handler, in registration order. */
    public Set<Class<?>> eventClasses() {
        return handlers.keySet();
    }

    /** The stream categories followed; empty for all. */
    public Set<String> categories() {
        return categories;
    }

    /**
     * The events this projection needs: its categories, and every stored type name (current and older, as
     * renamed by upcasters) that decodes to a handled class; and the notices of removed streams if it has a handler
     * for them.
     *
     * @throws IllegalArgumentException if a handled class matches no registered event class
     */
    public EventFilter filter(EventSerializer serializer) {
        return new EventFilter(categories, typeNames(serializer), !noticeHandlers.isEmpty());
    }

    /**
     * Whether {@link #handle} would decode this record and look for a handler: its category is followed and
     * its type maps to a handled class, or it is a notice of a kind with a handler. Lets a runner skip records cheaply.
     */
    public boolean accepts(RecordedEvent record, EventSerializer serializer) {
        if (!categories.isEmpty() && !categories.contains(record.streamId().category())) {
            return false;
        }
        Optional<StreamNotice.Kind> notice = StreamNotice.Kind.ofType(record.type());
        return notice.isPresent() ? noticeHandlers.containsKey(notice.get()) : typeNames(serializer).contains(record.type());
    }

    /**
     * {@link #handle(Object, RecordedEvent, EventSerializer, boolean)} of an event that is not live: as in a
     * catch-up or a rebuild.
     */
    public boolean handle(C context, RecordedEvent record, EventSerializer serializer) throws Exception {
        return handle(context, record, serializer, false);
    }

    /**
     * Decodes the record and passes it to its handler; a notice's record goes to the notice handler. Records this projection does not
     * {@link #accepts accept}, and events of a class without a handler, are ignored.
     *
     * @param live whether the event is live: appended just now (inline projections, whose events are the append's
     *             own) or after an asynchronous runner had caught up; false while a runner catches up, in a
     *             rebuild ({@link ProjectionRunner.Builder#catchUp()}) and in a dead letter's replay
     * @return whether a handler ran
     * @throws EventDecodingException if an accepted record cannot be decoded
     * @throws Exception              whatever the handler throws, unchanged; the runner decides what to do
     */
    public boolean handle(C context, RecordedEvent record, EventSerializer serializer, boolean live) throws Exception {
        Objects.requireNonNull(record, "record must not be null");
        if (!accepts(record, serializer)) {
            return false;
        }
        Optional<StreamNotice> notice = StreamNotice.from(record);
        if (notice.isPresent()) {
            noticeHandlers.get(notice.get().kind()).handle(context, notice.get());
            return true;
        }
        Object event = serializer.deserialize(record);
        Optional<LiveAwareHandler<C, Object>> handler = dispatch.computeIfAbsent(event.getClass(), this::handlerFor);
        if (handler.isEmpty()) {
            return false;
        }
        handler.get().handle(context, event, record, live);
        return true;
    }

    private Optional<LiveAwareHandler<C, Object>> handlerFor(Class<?> eventClass) {
        LiveAwareHandler<C, Object> exact = handlers.get(eventClass);
        if (exact != null) {
            return Optional.of(exact);
        }
        return handlers.entrySet().stream().filter(e -> e.getKey().isAssignableFrom(eventClass))
                .map(Map.Entry::getValue).findFirst();
    }

    private Set<String> typeNames(EventSerializer serializer) {
        Objects.requireNonNull(serializer, "serializer must not be null");
        TypeNames cached = typeNames;
        if (cached == null || cached.serializer() != serializer) {
            cached = new TypeNames(serializer, serializer.typeNames(new ArrayList<>(handlers.keySet())));
            typeNames = cached;
        }
        return cached.names();
    }

    @Override
    public String toString() {
        List<String> classes = handlers.keySet().stream().map(Class::getSimpleName).toList();
        return "Projection[" + name + ", handles " + classes + (categories.isEmpty() ? "" : ", categories " + categories)
                + "]";
    }

    private record TypeNames(EventSerializer serializer, Set<String> names) {
    }

    /**
     * Updates a read model for one event.
     *
     * @param <C> context type
     * @param <E> event type
     */
    @FunctionalInterface
    public interface Handler<C, E> {
        /**
         * @param context the runner's context (a connection, a read model …)
         * @param event   the decoded event
         * @param record  the stored record: position, stream, version, metadata, time
         */
        void handle(C context, E event, RecordedEvent record) throws Exception;
    }

    /**
     * Updates a read model for one event, told whether the event is live: to act only on new events (send a
     * notification, push to a client) and not while catching up or rebuilding.
     *
     * @param <C> context type
     * @param <E> event type
     */
    @FunctionalInterface
    public interface LiveAwareHandler<C, E> {
        /**
         * @param context the runner's context (a connection, a read model …)
         * @param event   the decoded event
         * @param record  the stored record: position, stream, version, metadata, time
         * @param live    whether the event is live (see {@link Projection#handle(Object, RecordedEvent,
         *                EventSerializer, boolean)}): true inline and after an asynchronous runner caught up;
         *                false while catching up, in a rebuild and in a replay
         */
        void handle(C context, E event, RecordedEvent record, boolean live) throws Exception;
    }

    /**
     * Updates a read model for a stream whose events were removed, for example by dropping the stream's rows.
     *
     * @param <C> context type
     */
    @FunctionalInterface
    public interface NoticeHandler<C> {
        /**
         * @param context the runner's context (a connection, a read model …)
         * @param notice  which stream, how it was removed, and the notice's position
         */
        void handle(C context, StreamNotice notice) throws Exception;
    }

    /** Collects a projection's handlers. Not thread-safe: use it from one thread, then {@link #build()}. */
    public static final class Builder<C> {
        private final String name;
        private final Map<Class<?>, LiveAwareHandler<C, Object>> handlers = new LinkedHashMap<>();
        private final Set<String> categories = new LinkedHashSet<>();
        private final Map<StreamNotice.Kind, NoticeHandler<C>> noticeHandlers = new EnumMap<>(StreamNotice.Kind.class);

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Handles events of {@code eventClass}, or of its subclasses without a handler of their own.
         *
         * @throws IllegalArgumentException if the class already has a handler
         */
        @SuppressWarnings("unchecked")
        public <E> Builder<C> on(Class<E> eventClass, Handler<? super C, ? super E> handler) {
            Objects.requireNonNull(handler, "handler must not be null");
            return add(eventClass, (context, event, record, live) ->
                    ((Handler<C, E>) handler).handle(context, eventClass.cast(event), record));
        }

        /**
         * Handles events of {@code eventClass}, or of its subclasses without a handler of their own, telling the
         * handler whether each event is live.
         *
         * @throws IllegalArgumentException if the class already has a handler
         */
        @SuppressWarnings("unchecked")
        public <E> Builder<C> on(Class<E> eventClass, LiveAwareHandler<? super C, ? super E> handler) {
            Objects.requireNonNull(handler, "handler must not be null");
            return add(eventClass, (context, event, record, live) ->
                    ((LiveAwareHandler<C, E>) handler).handle(context, eventClass.cast(event), record, live));
        }

        private Builder<C> add(Class<?> eventClass, LiveAwareHandler<C, Object> erased) {
            Objects.requireNonNull(eventClass, "event class must not be null");
            if (handlers.putIfAbsent(eventClass, erased) != null) {
                throw new IllegalArgumentException("projection '" + name + "' already has a handler for "
                        + eventClass.getName());
            }
            return this;
        }

        /**
         * Tells the handler when a followed stream is deleted or tombstoned ({@link StreamNotice.Kind#DELETED},
         * {@link StreamNotice.Kind#TOMBSTONED}), after the events of it the projection has seen; it runs like an event
         * handler: in the runner's transaction, and its failure is handled by the runner's failure policy.
         *
         * @throws IllegalArgumentException if deletions already have a handler
         */
        public Builder<C> onStreamDeleted(NoticeHandler<? super C> handler) {
            return notice(handler, StreamNotice.Kind.DELETED, StreamNotice.Kind.TOMBSTONED);
        }

        /**
         * Tells the handler when a followed stream is truncated ({@link StreamNotice.Kind#TRUNCATED}): its versions
         * below {@link StreamNotice#keptFrom()} are gone. Runs like an event handler.
         *
         * @throws IllegalArgumentException if truncations already have a handler
         */
        public Builder<C> onStreamTruncated(NoticeHandler<? super C> handler) {
            return notice(handler, StreamNotice.Kind.TRUNCATED);
        }

        @SuppressWarnings("unchecked")
        private Builder<C> notice(NoticeHandler<? super C> handler, StreamNotice.Kind... kinds) {
            Objects.requireNonNull(handler, "handler must not be null");
            for (StreamNotice.Kind kind : kinds) {
                if (noticeHandlers.putIfAbsent(kind, (NoticeHandler<C>) handler) != null) {
                    throw new IllegalArgumentException("projection '" + name + "' already has a handler for " + kind
                            + " streams");
                }
            }
            return this;
        }

        /**
         * Follows only streams of these categories (by default, all).
         *
         * @throws IllegalArgumentException if a category is invalid
         */
        public Builder<C> categories(String... streamCategories) {
            for (String category : streamCategories) {
                categories.add(StreamId.validateCategory(category));
            }
            return this;
        }

        /**
         * @throws IllegalStateException if no handler was added
         */
        public Projection<C> build() {
            if (handlers.isEmpty() && noticeHandlers.isEmpty()) {
                throw new IllegalStateException("projection '" + name + "' has no handlers; add them with on(...)");
            }
            return new Projection<>(this);
        }
    }
}
