package dev.relato.micrometer;

import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.Subscription;
import dev.relato.SubscriptionState;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.observe.RelatoObserver;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Relato's meters in a Micrometer {@link MeterRegistry}: the one entry point of this module. Give it to each
 * store's builder as its observer ({@code SqliteEventStore.builder().observer(metrics)}); the repositories and
 * projection runners built on the store report through it too. {@link #bind(ProjectionRunner)} adds a runner's
 * gauges (lag, state, lease).
 *
 * <table>
 *   <caption>Meters (tags in brackets; never a stream id)</caption>
 *   <tr><td>{@value #APPEND} timer [store, category, outcome]</td><td>append latency and count by outcome:
 *       {@code succeeded}, {@code conflict} (wrong expected version), {@code retried} (idempotent retry),
 *       {@code duplicate}, {@code invalid}, {@code unavailable}, {@code failed}</td></tr>
 *   <tr><td>{@value #APPEND_EVENTS} summary [store, category]</td><td>events per append that stored or found
 *       its events</td></tr>
 *   <tr><td>{@value #LOAD} timer [store, category, outcome], {@value #LOAD_EVENTS} summary [store, category]</td>
 *       <td>stream loads and the events they read</td></tr>
 *   <tr><td>{@value #SNAPSHOT_LOADS} counter [category, result = hit | miss]</td><td>snapshot lookups of
 *       repositories</td></tr>
 *   <tr><td>{@value #COMMAND_ATTEMPTS} summary [category]</td><td>attempts per command (optimistic retries)</td></tr>
 *   <tr><td>{@value #COMMAND} timer [category, command, outcome]</td><td>command handling, where a dispatcher
 *       reports it</td></tr>
 *   <tr><td>{@value #WRITE_QUEUE_WAIT} timer [store]</td><td>SQLite: wait in the single writer's queue</td></tr>
 *   <tr><td>{@value #GROUP_COMMIT_SIZE} summary [store]</td><td>SQLite: appends per group commit</td></tr>
 *   <tr><td>{@value #READERS_HELD_BACK} timer [store]</td><td>PostgreSQL: age of the transaction holding
 *       readers of the log back, each time a check finds one (about once a second while subscriptions poll)</td></tr>
 *   <tr><td>{@value #READERS_HELD_BACK_NOW} time gauge [store]</td><td>PostgreSQL: how long readers have been held
 *       back as of the last check, 0 once the hold-back ended</td></tr>
 *   <tr><td>{@value #PUBLISH_RETRIES} counter [store]</td><td>NATS: publishes tried again</td></tr>
 *   <tr><td>{@value #HANDLE} timer [projection, outcome]</td><td>one event handled by a projection</td></tr>
 *   <tr><td>{@value #BATCH} timer [projection], {@value #BATCH_EVENTS} summary [projection]</td><td>batches
 *       committed by a runner</td></tr>
 *   <tr><td>{@value #FAILURES}, {@value #RETRIES}, {@value #DEAD_LETTERS} counters [projection]</td><td>handler
 *       failures, events handled again, events given up on</td></tr>
 *   <tr><td>{@value #LAG_POSITIONS} gauge, {@value #LAG_TIME} time gauge [projection]</td><td>how far a bound
 *       runner is behind the head, in positions and in time</td></tr>
 *   <tr><td>{@value #STATE} gauge [projection, state]</td><td>1 for the runner's current state, 0 for the
 *       others</td></tr>
 *   <tr><td>{@value #LEASE_HELD} gauge [projection]</td><td>1 while this node runs the projection (not on
 *       standby, not stopped or failed)</td></tr>
 *   <tr><td>{@value #SUBSCRIPTION_LAG_POSITIONS} gauge, {@value #SUBSCRIPTION_LAG_TIME} time gauge,
 *       {@value #SUBSCRIPTION_STATE} gauge [subscription, state]</td><td>how far a plain subscription bound with
 *       {@link #bind(String, Subscription, EventStore)} is behind the head, and its state</td></tr>
 * </table>
 *
 * <p>Thread-safe. Meters are created on first use and kept; timing an append, a load, a handled event or a command
 * costs two map lookups by its tag values, one small object and the meters' own updates.
 */
public final class RelatoMetrics implements RelatoObserver {
    public static final String APPEND = "relato.append";
    public static final String APPEND_EVENTS = "relato.append.events";
    public static final String LOAD = "relato.load";
    public static final String LOAD_EVENTS = "relato.load.events";
    public static final String SNAPSHOT_LOADS = "relato.snapshot.loads";
    public static final String COMMAND_ATTEMPTS = "relato.command.attempts";
    public static final String COMMAND = "relato.command";
    public static final String WRITE_QUEUE_WAIT = "relato.store.write.queue.wait";
    public static final String GROUP_COMMIT_SIZE = "relato.store.group.commit.size";
    public static final String READERS_HELD_BACK = "relato.store.readers.held.back";
    public static final String READERS_HELD_BACK_NOW = "relato.store.readers.held.back.now";
    public static final String PUBLISH_RETRIES = "relato.store.publish.retries";
    public static final String HANDLE = "relato.projection.handle";
    public static final String BATCH = "relato.projection.batch";
    public static final String BATCH_EVENTS = "relato.projection.batch.events";
    public static final String FAILURES = "relato.projection.failures";
    public static final String RETRIES = "relato.projection.retries";
    public static final String DEAD_LETTERS = "relato.projection.dead.letters";
    public static final String LAG_POSITIONS = "relato.projection.lag.positions";
    public static final String LAG_TIME = "relato.projection.lag.time";
    public static final String STATE = "relato.projection.state";
    public static final String LEASE_HELD = "relato.projection.lease.held";
    public static final String SUBSCRIPTION_LAG_POSITIONS = "relato.subscription.lag.positions";
    public static final String SUBSCRIPTION_LAG_TIME = "relato.subscription.lag.time";
    public static final String SUBSCRIPTION_STATE = "relato.subscription.state";

    /** A meter's name and tag values, the key of the meters made so far. */
    private record Key(String name, String a, String b, String c) {
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<Key, Meter> meters = new ConcurrentHashMap<>();
    private final Map<Object, List<Meter>> bound = new ConcurrentHashMap<>();
    /** The SQLite meters told about on every append, by store name alone (no key built per call). */
    private final Map<String, Timer> writeQueueWaits = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> groupCommitSizes = new ConcurrentHashMap<>();
    /** The current hold-back of each store's readers, in nanoseconds, read by its time gauge. */
    private final Map<String, AtomicLong> heldBack = new ConcurrentHashMap<>();

    private final OperationKind appends = new OperationKind(store -> category -> new OperationMeters(APPEND,
            Tags.of("store", store, "category", category), APPEND_EVENTS, true));
    private final OperationKind loads = new OperationKind(store -> category -> new OperationMeters(LOAD,
            Tags.of("store", store, "category", category), LOAD_EVENTS, false));
    private final OperationKind handles = new OperationKind(projection -> unused -> new OperationMeters(HANDLE,
            Tags.of("projection", projection), null, false));
    private final OperationKind commands = new OperationKind(category -> command -> new OperationMeters(COMMAND,
            Tags.of("category", category, "command", command), null, false));

    private RelatoMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.clock = registry.config().clock();
    }

    /** Relato's meters in {@code registry}. */
    public static RelatoMetrics of(MeterRegistry registry) {
        return new RelatoMetrics(Objects.requireNonNull(registry, "registry must not be null"));
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Adds the gauges of {@code runner} ({@value #LAG_POSITIONS}, {@value #LAG_TIME}, {@value #STATE},
     * {@value #LEASE_HELD}), read from its status when the registry is read. The gauges hold the runner weakly;
     * {@link #unbind} removes them. Its events are counted without binding it, through its store's observer.
     *
     * @return this
     */
    public RelatoMetrics bind(ProjectionRunner<?> runner) {
        Objects.requireNonNull(runner, "runner must not be null");
        bound.computeIfAbsent(runner, key -> {
            ProjectionRunner<?> r = runner;
            Tags tags = Tags.of("projection", r.name());
            List<Meter> gauges = new ArrayList<>();
            gauges.add(Gauge.builder(LAG_POSITIONS, r, x -> x.status().positionsBehind()).tags(tags)
                    .description("positions between the runner's checkpoint and the head of the log")
                    .register(registry));
            gauges.add(TimeGauge.builder(LAG_TIME, r, TimeUnit.MILLISECONDS, x -> x.status().timeBehind().toMillis())
                    .tags(tags).description("age of the oldest event the runner has not handled yet")
                    .register(registry));
            for (ProjectionState state : ProjectionState.values()) {
                gauges.add(Gauge.builder(STATE, r, x -> x.status().state() == state ? 1 : 0)
                        .tags(tags.and("state", state.name().toLowerCase(java.util.Locale.ROOT)))
                        .register(registry));
            }
            gauges.add(Gauge.builder(LEASE_HELD, r, x -> holdsLease(x.status().state()) ? 1 : 0).tags(tags)
                    .description("1 while this node runs the projection").register(registry));
            return gauges;
        });
        return this;
    }

    /** Removes the gauges {@link #bind} added for {@code runner}, if any. */
    public void unbind(ProjectionRunner<?> runner) {
        unbindGauges(runner);
    }

    /**
     * Adds the gauges of a plain subscription (one outside a projection runner) under the tag
     * {@code subscription=name}: {@value #SUBSCRIPTION_LAG_POSITIONS} (the store's head position minus the
     * subscription's), {@value #SUBSCRIPTION_LAG_TIME} (the age of the first event after its position, 0 when there
     * is none) and {@value #SUBSCRIPTION_STATE} (1 for its current state, 0 for the others). The lags are read from
     * {@code store} when the registry is read: one head-position round trip and one read of at most one event per
     * subscription; while the store cannot be read they are NaN. The gauges hold the subscription weakly;
     * {@link #unbind(Subscription)} removes them. {@code name} must be bounded (a fixed name, never a stream id).
     *
     * @return this
     */
    public RelatoMetrics bind(String name, Subscription subscription, EventStore store) {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(subscription, "subscription must not be null");
        Objects.requireNonNull(store, "store must not be null");
        bound.computeIfAbsent(subscription, key -> {
            Tags tags = Tags.of("subscription", name);
            List<Meter> gauges = new ArrayList<>();
            gauges.add(Gauge.builder(SUBSCRIPTION_LAG_POSITIONS, subscription,
                            x -> readOrNaN(() -> Math.max(0, store.headPosition() - x.position())))
                    .tags(tags).description("positions between the subscription's position and the head of the log")
                    .register(registry));
            gauges.add(TimeGauge.builder(SUBSCRIPTION_LAG_TIME, subscription, TimeUnit.MILLISECONDS,
                            x -> readOrNaN(() -> oldestPendingAgeMillis(store, x.position())))
                    .tags(tags).description("age of the first event after the subscription's position")
                    .register(registry));
            for (SubscriptionState state : SubscriptionState.values()) {
                gauges.add(Gauge.builder(SUBSCRIPTION_STATE, subscription, x -> x.state() == state ? 1 : 0)
                        .tags(tags.and("state", state.name().toLowerCase(java.util.Locale.ROOT)))
                        .register(registry));
            }
            return gauges;
        });
        return this;
    }

    /** Removes the gauges {@link #bind(String, Subscription, EventStore)} added for {@code subscription}, if any. */
    public void unbind(Subscription subscription) {
        unbindGauges(subscription);
    }

    private void unbindGauges(Object key) {
        List<Meter> gauges = bound.remove(key);
        if (gauges != null) {
            gauges.forEach(registry::remove);
        }
    }

    private long oldestPendingAgeMillis(EventStore store, long position) {
        try (Stream<RecordedEvent> next = store.readAll(GlobalRead.after(position).limit(1))) {
            return next.findFirst()
                    .map(e -> Math.max(0, clock.wallTime() - e.recordedAt().toEpochMilli()))
                    .orElse(0L);
        }
    }

    private static double readOrNaN(LongSupplier read) {
        try {
            return read.getAsLong();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static boolean holdsLease(ProjectionState state) {
        return state != ProjectionState.STANDBY && state != ProjectionState.STOPPED && state != ProjectionState.FAILED;
    }

    @Override
    public Observation append(String store, StreamId stream, int events) {
        return new Timed(appends.get(store, stream.category()), clock.monotonicTime());
    }

    @Override
    public Observation load(String store, StreamId stream) {
        return new Timed(loads.get(store, stream.category()), clock.monotonicTime());
    }

    @Override
    public Observation handle(String projection, RecordedEvent event) {
        return new Timed(handles.get(projection, ""), clock.monotonicTime());
    }

    @Override
    public Observation command(String category, String command) {
        return new Timed(commands.get(category, command), clock.monotonicTime());
    }

    @Override
    public void batchHandled(String projection, int events, Duration took) {
        timer(BATCH, "projection", projection).record(took);
        summary(BATCH_EVENTS, "projection", projection, null, null).record(events);
    }

    @Override
    public void handlerFailed(String projection, Throwable failure) {
        counter(FAILURES, "projection", projection).increment();
    }

    @Override
    public void handlerRetried(String projection) {
        counter(RETRIES, "projection", projection).increment();
    }

    @Override
    public void deadLettered(String projection) {
        counter(DEAD_LETTERS, "projection", projection).increment();
    }

    @Override
    public void commandAttempts(String category, int attempts) {
        summary(COMMAND_ATTEMPTS, "category", category, null, null).record(attempts);
    }

    @Override
    public void snapshotLoaded(String category, boolean hit) {
        Key key = new Key(SNAPSHOT_LOADS, category, hit ? "hit" : "miss", null);
        meter(key, k -> Counter.builder(SNAPSHOT_LOADS).tags("category", k.a(), "result", k.b())
                .register(registry), Counter.class).increment();
    }

    @Override
    public void writeQueueWait(String store, Duration wait) {
        Timer timer = writeQueueWaits.get(store);
        if (timer == null) {
            timer = writeQueueWaits.computeIfAbsent(store, s -> timer(WRITE_QUEUE_WAIT, "store", s));
        }
        timer.record(wait);
    }

    @Override
    public void groupCommit(String store, int appends) {
        DistributionSummary summary = groupCommitSizes.get(store);
        if (summary == null) {
            summary = groupCommitSizes.computeIfAbsent(store, s -> summary(GROUP_COMMIT_SIZE, "store", s, null, null));
        }
        summary.record(appends);
    }

    @Override
    public void readersHeldBack(String store, Duration held) {
        heldBackNow(store).set(held.toNanos());
        if (!held.isZero()) {
            timer(READERS_HELD_BACK, "store", store).record(held);
        }
    }

    private AtomicLong heldBackNow(String store) {
        AtomicLong now = heldBack.get(store);
        if (now == null) {
            now = heldBack.computeIfAbsent(store, s -> {
                AtomicLong nanos = new AtomicLong();
                TimeGauge.builder(READERS_HELD_BACK_NOW, nanos, TimeUnit.NANOSECONDS, AtomicLong::get)
                        .tags("store", s).description("how long readers of the log have been held back, as of the"
                                + " last check").register(registry);
                return nanos;
            });
        }
        return now;
    }

    @Override
    public void publishRetried(String store) {
        counter(PUBLISH_RETRIES, "store", store).increment();
    }

    /** An operation timed from its start; on its end, its timer by outcome and its events are recorded. */
    private final class Timed implements Observation {
        private final OperationMeters meters;
        private final long start;

        Timed(OperationMeters meters, long start) {
            this.meters = meters;
            this.start = start;
        }

        @Override
        public void end(Outcome outcome, int count) {
            meters.timer(outcome).record(clock.monotonicTime() - start, TimeUnit.NANOSECONDS);
            if (meters.events != null && (outcome == Outcome.SUCCEEDED
                    || (outcome == Outcome.RETRIED && meters.countsRetried))) {
                meters.events.record(count);
            }
        }
    }

    /**
     * The meters of one kind of operation for one pair of tag values (store and category, projection, category
     * and command): a timer per outcome, registered on first use, and the summary of the events it wrote or read.
     * Made once per pair and kept, so that timing an operation looks meters up without allocating.
     */
    private final class OperationMeters {
        final Tags tags;
        final String timerName;
        final DistributionSummary events;
        final boolean countsRetried;
        private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(Outcome.values().length);

        OperationMeters(String timerName, Tags tags, String eventsName, boolean countsRetried) {
            this.timerName = timerName;
            this.tags = tags;
            this.events = eventsName == null ? null
                    : DistributionSummary.builder(eventsName).tags(tags).register(registry);
            this.countsRetried = countsRetried;
        }

        Timer timer(Outcome outcome) {
            Timer t = timers.get(outcome.ordinal());
            if (t == null) {
                t = Timer.builder(timerName).tags(tags.and("outcome", outcome.tag())).register(registry);
                timers.set(outcome.ordinal(), t);
            }
            return t;
        }
    }

    /** The {@link OperationMeters} of one kind of operation, by two tag values (the second may be unused). */
    private final class OperationKind {
        private final Map<String, Map<String, OperationMeters>> byFirst = new ConcurrentHashMap<>();
        private final Function<String, Function<String, OperationMeters>> make;

        OperationKind(Function<String, Function<String, OperationMeters>> make) {
            this.make = make;
        }

        OperationMeters get(String first, String second) {
            Map<String, OperationMeters> bySecond = byFirst.get(first);
            if (bySecond == null) {
                bySecond = byFirst.computeIfAbsent(first, f -> new ConcurrentHashMap<>());
            }
            OperationMeters meters = bySecond.get(second);
            if (meters == null) {
                meters = bySecond.computeIfAbsent(second, make.apply(first));
            }
            return meters;
        }
    }

    private Timer timer(String name, String tag, String value) {
        return meter(new Key(name, value, null, null), k -> Timer.builder(name).tags(tag, value).register(registry),
                Timer.class);
    }

    private DistributionSummary summary(String name, String tag1, String value1, String tag2, String value2) {
        return meter(new Key(name, value1, value2, null), k -> DistributionSummary.builder(name)
                .tags(tag2 == null ? Tags.of(tag1, value1) : Tags.of(tag1, value1, tag2, value2))
                .register(registry), DistributionSummary.class);
    }

    private Counter counter(String name, String tag, String value) {
        return meter(new Key(name, value, null, null), k -> Counter.builder(name).tags(tag, value).register(registry),
                Counter.class);
    }

    private <M extends Meter> M meter(Key key, Function<Key, M> create, Class<M> type) {
        Meter m = meters.get(key);
        if (m == null) {
            m = meters.computeIfAbsent(key, create::apply);
        }
        return type.cast(m);
    }

    @Override
    public String toString() {
        return "RelatoMetrics[" + registry.getClass().getSimpleName() + "]";
    }
}
