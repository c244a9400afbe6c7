package dev.relato.command;

import dev.relato.AppendResult;
import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.RetryPolicy;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.AggregateNotFoundException;
import dev.relato.aggregate.AggregateRoot;
import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.spi.RetryState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Routes each command to its handler: one line per command type for deciders and aggregate roots, or a free
 * function.
 *
 * <pre>{@code
 * CommandBus bus = CommandBus.builder(store)
 *         .decider(PlaceOrder.class, orders, PlaceOrder::orderId)
 *         .update(PayInvoice.class, invoices, PayInvoice::invoiceId, (invoice, c) -> invoice.pay(c.amount()))
 *         .handler(Ping.class, (ping, context) -> { })
 *         .middleware(CommandMiddleware.logging())
 *         .build();
 * Receipt receipt = bus.send(new PlaceOrder("o-1", "sku-1"));   // a new command id
 * bus.send(Command.of(commandId, new PlaceOrder("o-1", "sku-1")));  // an id of the caller's: safe to re-send
 * }</pre>
 *
 * <p><b>Idempotent retry.</b> Every command has an id ({@link Command}; generated when the caller sends a bare
 * record), and the n-th event a command appends gets the id {@link Command#eventId}(command id, n). Re-sending
 * a command with the same id after a timeout, a lost reply or a crash therefore never applies it twice: if its
 * first attempt committed, the handler meets the command's first event when it loads the aggregate and the bus
 * returns the first attempt's receipt with {@link Receipt#repeated()} true, without deciding again; an append
 * that repeats the first attempt's at the same place is an idempotent retry at the store. The check happens
 * while loading: an aggregate whose snapshot was taken after the command's events no longer shows them, and a
 * retry that late is decided again (and the store refuses the same event ids elsewhere with
 * {@link dev.relato.DuplicateEventException}).
 *
 * <p><b>Results and rejections.</b> {@link #send} returns a {@link Receipt} (the new version and position).
 * An exception thrown by the domain (a decider, a root's method, a handler, a middleware) reaches the sender
 * unchanged, and nothing is appended. A command type without a handler throws {@link UnknownCommandException};
 * updating a root that does not exist throws {@link AggregateNotFoundException}. When another writer got there
 * first ({@link WrongExpectedVersionException}), the command is handled again from a fresh load under the bus's
 * {@link RetryPolicy}, then the exception is rethrown.
 *
 * <p><b>Transactions.</b> {@link #using(EventStore)} gives the same bus working through a store view bound to the
 * caller's transaction (such as {@code SqliteEventStore.boundTo(transaction)}): the command's events commit or
 * roll back with the caller's writes, and a concurrent write is not retried but thrown to the caller. Snapshots
 * are read as the repositories are configured, but not saved by policy through the bus.
 *
 * <p><b>Observed.</b> Every dispatch, after the middleware, is one {@link dev.relato.observe.RelatoObserver#command}
 * observation on the store's {@link EventStore#observer()}: tagged with the aggregate's category ({@code none}
 * for a free-function handler) and the command record's simple class name, ended with
 * {@link Outcome#SUCCEEDED} and the events appended, {@link Outcome#RETRIED} for a repeated command, or the
 * outcome of the failure that reached the sender. With relato-opentelemetry this is a span, with
 * relato-micrometer a timer; a command without a handler is not observed.
 *
 * <p>The bus is the {@link CommandSender} of its process; a sender of another transport (relato-nats'
 * {@code NatsCommandSender}) takes the same calls to a bus in another process.
 *
 * <p>Thread-safe: one bus serves every thread, as long as its handlers and middleware are thread-safe.
 */
public final class CommandBus implements CommandSender {
    private static final String FREE_FUNCTION = "none";
    private static final RetryPolicy DEFAULT_RETRY = new RetryPolicy(6, Duration.ofMillis(2), Duration.ofMillis(200),
            Duration.ofSeconds(10));

    private final EventStore store;
    private final Map<Class<?>, Route> routes;
    private final Map<Class<?>, Optional<Route>> resolved = new ConcurrentHashMap<>();
    private final List<CommandMiddleware> middleware;
    private final RetryPolicy retry;

    private CommandBus(EventStore store, Map<Class<?>, Route> routes, List<CommandMiddleware> middleware,
                       RetryPolicy retry) {
        this.store = store;
        this.routes = routes;
        this.middleware = middleware;
        this.retry = retry;
    }

    public static Builder builder(EventStore store) {
        return new Builder(store);
    }

    /**
     * This bus working through {@code transactionalView}, a store bound to the caller's transaction: the
     * commands' reads and appends run in it, commit or roll back with it, and are not retried.
     */
    public CommandBus using(EventStore transactionalView) {
        return new CommandBus(Objects.requireNonNull(transactionalView, "store view must not be null"), routes,
                middleware, RetryPolicy.none());
    }

    /**
     * Sends a command: a bare record gets a new random id; a {@link Command} keeps its id, so sending it again
     * is a retry.
     *
     * @throws UnknownCommandException       if no handler takes the command's type
     * @throws WrongExpectedVersionException if the aggregate still moved under every retry
     * @throws RuntimeException              the domain's rejection, unchanged
     */
    @Override
    public Receipt send(Object command) {
        Objects.requireNonNull(command, "command must not be null");
        return send(command instanceof Command<?> envelope ? envelope : Command.of(command));
    }

    /** Sends {@code command} with its own id. */
    @Override
    public Receipt send(Command<?> command) {
        Objects.requireNonNull(command, "command must not be null");
        return proceed(command, 0);
    }

    /** Whether a handler takes commands of {@code type}. */
    public boolean handles(Class<?> type) {
        return route(type).isPresent();
    }

    private Receipt proceed(Command<?> command, int index) {
        if (index == middleware.size()) {
            return dispatch(command);
        }
        return middleware.get(index).apply(command, next -> proceed(Objects.requireNonNull(next,
                "middleware passed on no command"), index + 1));
    }

    /** The one place every command is handled, after its middleware. */
    private Receipt dispatch(Command<?> command) {
        Route route = route(command.type()).orElseThrow(() -> new UnknownCommandException(command.type()));
        Observation observation = store.observer().command(route.category(), command.type().getSimpleName());
        Receipt receipt;
        try {
            receipt = attempt(route, command);
        } catch (RuntimeException | Error e) {
            observation.failed(e);
            throw e;
        }
        observation.end(receipt.repeated() ? Outcome.RETRIED : Outcome.SUCCEEDED, receipt.eventCount());
        return receipt;
    }

    /** Handles {@code command} on {@code route}, again from a fresh load after each concurrent write. */
    private Receipt attempt(Route route, Command<?> command) {
        RetryState retries = new RetryState(retry);
        while (true) {
            CommandScope scope = new CommandScope(store, command);
            try {
                route.handler().handle(command.body(), scope);
                List<AppendResult> appends = scope.appends();
                boolean repeated = !appends.isEmpty();
                for (AppendResult append : appends) {
                    repeated &= append.retried();
                }
                return new Receipt(command.id(), appends, repeated);
            } catch (CommandScope.AlreadyHandled handled) {
                return firstAttempt(command, handled.first());
            } catch (WrongExpectedVersionException e) {
                Optional<Duration> backoff = retries.failed();
                if (backoff.isEmpty()) {
                    throw e;
                }
                RetryState.pause(backoff.get(), e);
            }
        }
    }

    /** The receipt of a command's first attempt, whose first event is {@code first}. */
    private Receipt firstAttempt(Command<?> command, RecordedEvent first) {
        List<RecordedEvent> events = new ArrayList<>();
        for (RecordedEvent record : store.read(first.streamId(), StreamRead.forwards().from(first.streamVersion()))) {
            if (!record.eventId().equals(Command.eventId(command.id(), events.size()))) {
                break;
            }
            events.add(record);
        }
        return new Receipt(command.id(), List.of(AppendResult.of(events, true)), true);
    }

    private Optional<Route> route(Class<?> type) {
        return resolved.computeIfAbsent(type, t -> {
            Route exact = routes.get(t);
            if (exact != null) {
                return Optional.of(exact);
            }
            return routes.entrySet().stream().filter(e -> e.getKey().isAssignableFrom(t)).map(Map.Entry::getValue)
                    .findFirst();
        });
    }

    @Override
    public String toString() {
        return "CommandBus[" + routes.keySet().stream().map(Class::getSimpleName).toList() + " on " + store + "]";
    }

    /** How one command type is handled: the category its observation is tagged with, and its handler. */
    private record Route(String category, RouteHandler handler) {
    }

    /** Handles one command through the attempt's store. */
    @FunctionalInterface
    private interface RouteHandler {
        void handle(Object command, CommandScope scope);
    }

    /** Configures a {@link CommandBus}. Not thread-safe: use it from one thread, then {@link #build()}. */
    public static final class Builder {
        private final EventStore store;
        private final Map<Class<?>, Route> routes = new LinkedHashMap<>();
        private final List<CommandMiddleware> middleware = new ArrayList<>();
        private RetryPolicy retry = DEFAULT_RETRY;

        private Builder(EventStore store) {
            this.store = Objects.requireNonNull(store, "store must not be null");
        }

        /**
         * Commands of {@code type} are decided by {@code repository}'s decider on the aggregate whose id
         * {@code id} takes from the command (its initial state if it has no stream yet), and appended.
         */
        public <K> Builder decider(Class<K> type, DeciderRepository<? super K, ?, ?> repository,
                                   Function<? super K, String> id) {
            Objects.requireNonNull(repository, "repository must not be null");
            Objects.requireNonNull(id, "id function must not be null");
            return route(type, categoryOf(repository::stream), (command, scope) -> {
                K typed = type.cast(command);
                repository.using(scope).handle(aggregateId(id, typed), typed);
            });
        }

        /**
         * Commands of {@code type} load the root whose id {@code id} takes from the command, run {@code action}
         * on it and save what it raised; {@link AggregateNotFoundException} reaches the sender if the root does
         * not exist.
         */
        public <K, R extends AggregateRoot<?>> Builder update(Class<K> type, AggregateRootRepository<R, ?> repository,
                                                             Function<? super K, String> id,
                                                             BiConsumer<? super R, ? super K> action) {
            return root(type, repository, id, action, false);
        }

        /**
         * Commands of {@code type} create the root whose id {@code id} takes from the command, run {@code action}
         * on it and save what it raised, failing with {@link WrongExpectedVersionException} if it exists (unless
         * this command created it: then the send is a repeat).
         */
        public <K, R extends AggregateRoot<?>> Builder create(Class<K> type, AggregateRootRepository<R, ?> repository,
                                                             Function<? super K, String> id,
                                                             BiConsumer<? super R, ? super K> action) {
            return root(type, repository, id, action, true);
        }

        private <K, R extends AggregateRoot<?>> Builder root(Class<K> type, AggregateRootRepository<R, ?> repository,
                                                            Function<? super K, String> id,
                                                            BiConsumer<? super R, ? super K> action, boolean creates) {
            Objects.requireNonNull(repository, "repository must not be null");
            Objects.requireNonNull(id, "id function must not be null");
            Objects.requireNonNull(action, "action must not be null");
            return route(type, categoryOf(repository::stream), (command, scope) -> {
                K typed = type.cast(command);
                AggregateRootRepository<R, ?> bound = repository.using(scope);
                if (creates) {
                    bound.create(aggregateId(id, typed), root -> action.accept(root, typed));
                } else {
                    bound.update(aggregateId(id, typed), root -> action.accept(root, typed));
                }
            });
        }

        /** Commands of {@code type} are handled by a free function. */
        public <K> Builder handler(Class<K> type, CommandHandler<? super K> handler) {
            Objects.requireNonNull(handler, "handler must not be null");
            return route(type, FREE_FUNCTION,
                    (command, scope) -> handler.handle(type.cast(command), new CommandContext(scope)));
        }

        /** Adds middleware around every dispatch; the first added runs outermost. */
        public Builder middleware(CommandMiddleware step) {
            middleware.add(Objects.requireNonNull(step, "middleware must not be null"));
            return this;
        }

        /**
         * How a command is handled again from a fresh load after a concurrent write. Default: 6 attempts in all,
         * 2 ms apart at first, doubling up to 200 ms, for at most 10 seconds. {@link RetryPolicy#none()} for none.
         */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "retry policy must not be null");
            return this;
        }

        public CommandBus build() {
            if (routes.isEmpty()) {
                throw new IllegalStateException("a command bus needs at least one handler");
            }
            return new CommandBus(store, Map.copyOf(routes), List.copyOf(middleware), retry);
        }

        private Builder route(Class<?> type, String category, RouteHandler handler) {
            Route route = new Route(category, handler);
            Objects.requireNonNull(type, "command type must not be null");
            if (Command.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException("route the command record's own type, not Command");
            }
            if (routes.putIfAbsent(type, route) != null) {
                throw new IllegalArgumentException("command type " + type.getName() + " already has a handler");
            }
            return this;
        }

        /** The category of a repository's streams, read from the stream of any id. */
        private static String categoryOf(Function<String, StreamId> stream) {
            return stream.apply("id").category();
        }

        private static <K> String aggregateId(Function<? super K, String> id, K command) {
            return Objects.requireNonNull(id.apply(command), () -> "the aggregate id of " + command + " is null");
        }
    }
}
