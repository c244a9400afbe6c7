package dev.relato.examples.orders;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.CommandResult;
import dev.relato.serialization.EventSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs order commands with optional idempotency keys ({@link IdempotencyKeys}): loads the order's stream,
 * answers the first outcome again if the key's events are already there, else decides and appends expecting the
 * version it loaded, retrying on a concurrent change up to {@value #MAX_RETRIES} times. A line's unit price is
 * put in {@link Money}'s canonical form first, so the command's digest does not depend on how the price was
 * written.
 *
 * <p>Failures: a rejected command throws {@link OrderRejectedException}; a key already used for another command
 * throws {@link IdempotencyKeyReusedException} and nothing is written; losing every retry throws
 * {@link WrongExpectedVersionException}; store failures surface as {@link dev.relato.StoreUnavailableException}.
 *
 * <p>Stateless apart from its store and serializer, and thread-safe.
 */
public final class IdempotentOrderCommands {
    /** Attempts after a concurrent change before giving up. */
    public static final int MAX_RETRIES = 20;

    private final EventStore store;
    private final EventSerializer serializer;
    private final String category;
    private final OrderDecider decider = new OrderDecider();

    /**
     * @param store      the store of the orders' streams
     * @param serializer a serializer that knows the {@link OrderEvent} types
     * @param category   the stream category of orders
     */
    public IdempotentOrderCommands(EventStore store, EventSerializer serializer,
            String category) {
        this.store = Objects.requireNonNull(store, "store");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.category = Objects.requireNonNull(category, "category");
    }

    /**
     * Runs the command.
     *
     * @param requestId      stored as the events' correlation id
     * @param idempotencyKey the client's key for this operation, if it sent one (checked with
     *                       {@link IdempotencyKeys#problem(String)} by the caller)
     */
    public Outcome execute(OrderCommand sent, String requestId, Optional<String> idempotencyKey) {
        OrderCommand command = canonical(sent);
        StreamId stream = StreamId.of(category, command.orderId());
        Optional<String> key = Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        String digest = key.map(k -> IdempotencyKeys.digest(command)).orElse("");
        Metadata base = Metadata.empty().withCorrelationId(Objects.requireNonNull(requestId, "requestId"));
        Metadata metadata = key.map(k -> base.with(IdempotencyKeys.KEY_ENTRY, k)
                .with(IdempotencyKeys.DIGEST_ENTRY, digest)).orElse(base);
        for (int attempt = 0; ; attempt++) {
            List<RecordedEvent> records = store.read(stream);
            if (key.isPresent()) {
                Optional<Outcome> earlier = earlierOutcome(stream, records, key.get(), digest);
                if (earlier.isPresent()) {
                    store.observer().commandAttempts(category, attempt + 1);
                    return earlier.get();
                }
            }
            Aggregate<OrderState> current = fold(stream, records, records.size());
            List<OrderEvent> events = decider.decide(command, current.state());
            List<EventData> data = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                UUID id = key.isPresent() ? IdempotencyKeys.eventId(key.get(), i) : UUID.randomUUID();
                data.add(serializer.serialize(events.get(i), metadata, id));
            }
            AppendResult appended;
            try {
                appended = store.append(stream, ExpectedVersion.exactly(current.version()), data);
            } catch (WrongExpectedVersionException e) {
                if (attempt >= MAX_RETRIES) {
                    store.observer().commandAttempts(category, attempt + 1);
                    throw e;
                }
                continue;
            } catch (DuplicateEventException e) {
                if (key.isPresent()) {
                    throw new IdempotencyKeyReusedException("the idempotency key was already used for a command on"
                            + " another order; use a new key for each operation");
                }
                throw e;
            }
            if (appended.retried()) {
                if (attempt >= MAX_RETRIES) {
                    throw new IllegalStateException("'" + stream + "' holds the events of idempotency key '"
                            + key.orElse("") + "', but they cannot be read back");
                }
                continue;
            }
            store.observer().commandAttempts(category, attempt + 1);
            OrderState state = current.state();
            for (OrderEvent event : events) {
                state = decider.evolve(state, event);
            }
            return new Outcome(new CommandResult<>(stream, events, state, appended.lastVersion()),
                    Optional.of(appended));
        }
    }

    /** The command with its price in canonical form, so that a retry sending {@code 3.50} for {@code 3.5} matches. */
    private static OrderCommand canonical(OrderCommand command) {
        if (command instanceof OrderCommand.AddLine add) {
            return new OrderCommand.AddLine(add.orderId(), add.lineId(), add.sku(), add.quantity(),
                    Money.unitPrice(add.unitPrice()).orElse(add.unitPrice()));
        }
        return command;
    }

    /** The outcome of the command sent earlier with this key on this stream, if its events are there. */
    private Optional<Outcome> earlierOutcome(StreamId stream, List<RecordedEvent> records, String key, String digest) {
        UUID first = IdempotencyKeys.eventId(key, 0);
        int start = 0;
        while (start < records.size() && !records.get(start).eventId().equals(first)) {
            start++;
        }
        if (start == records.size()) {
            return Optional.empty();
        }
        if (!records.get(start).metadata().get(IdempotencyKeys.DIGEST_ENTRY).orElse("").equals(digest)) {
            throw new IdempotencyKeyReusedException("the idempotency key was already used for another command on "
                    + "this order; use a new key for each operation");
        }
        int end = start + 1;
        while (end < records.size() && records.get(end).eventId().equals(IdempotencyKeys.eventId(key, end - start))) {
            end++;
        }
        List<OrderEvent> events = records.subList(start, end).stream()
                .map(r -> serializer.decode(r, OrderEvent.class).event()).toList();
        Aggregate<OrderState> after = fold(stream, records, end);
        return Optional.of(new Outcome(new CommandResult<>(stream, events, after.state(), after.version()),
                Optional.empty()));
    }

    /** The state after the first {@code count} records. */
    private Aggregate<OrderState> fold(StreamId stream, List<RecordedEvent> records, int count) {
        OrderState state = decider.initialState();
        long version = 0;
        for (RecordedEvent record : records.subList(0, count)) {
            state = decider.evolve(state, serializer.decode(record, OrderEvent.class).event());
            version = record.streamVersion();
        }
        return new Aggregate<>(stream, version, state);
    }

    /**
     * What a command did. Immutable and thread-safe.
     *
     * @param result   the events and the state after them
     * @param appended what was appended now; empty if the command had been handled before under the same
     *                 idempotency key and this is its first outcome again
     */
    public record Outcome(CommandResult<OrderState, OrderEvent> result, Optional<AppendResult> appended) {
        public Outcome {
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(appended, "appended");
        }

        /** True if nothing was appended now: the first outcome under the same key, answered again. */
        public boolean replayed() {
            return appended.isEmpty();
        }
    }
}
