package dev.relato.bench;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.Decider;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.aggregate.SnapshotPolicy;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Relato on one backend, used as an application would: events serialized by an {@link EventSerializer},
 * appended through {@link EventStore#append} (or, for {@link Backend#RELATO_CALLER_TX}, through the store's
 * append into a transaction the caller owns), read back through {@link EventStore#readAll} and decoded, and
 * aggregates loaded through a {@link DeciderRepository} (with and without snapshots), and a read model kept by
 * a {@link ProjectionRunner}. Thread-safe.
 */
final class RelatoSubject implements Subject {
    /** Schema version of the snapshotted account state. */
    private static final int STATE_VERSION = 1;
    /** Events per projection transaction, as the plain-JDBC twin commits them. */
    static final int PROJECTION_BATCH = 1000;

    private final String kind;
    private final EventStore store;
    private final Appender appender;
    private final SnapshotStore snapshots;
    private final AutoCloseable owner;
    private final ReadModel<?> readModel;
    private final EventSerializer serializer = EventSerializer.of(Account.TYPES);
    private final DeciderRepository<Account.Command, AccountEvent, Account.State> accounts;
    private final DeciderRepository<Account.Command, AccountEvent, Account.State> snapshottedAccounts;
    /** Decisions taken on each thread by {@link #commandedAccounts}: one per attempt of a command. */
    private final ThreadLocal<long[]> decisions = ThreadLocal.withInitial(() -> new long[1]);
    private final DeciderRepository<Account.Command, AccountEvent, Account.State> commandedAccounts;

    /**
     * @param store     the event store
     * @param snapshots the snapshot store of the same backend
     * @param readModel the W6 read model, in the backend's database
     * @param owner     closed with this subject (the store, and whatever else the backend opened for it)
     */
    RelatoSubject(EventStore store, SnapshotStore snapshots, ReadModel<?> readModel, AutoCloseable owner) {
        this(Backend.RELATO, store, store::append, snapshots, readModel, owner);
    }

    private RelatoSubject(String kind, EventStore store, Appender appender, SnapshotStore snapshots,
                          ReadModel<?> readModel, AutoCloseable owner) {
        this.kind = kind;
        this.store = Objects.requireNonNull(store, "store");
        this.appender = Objects.requireNonNull(appender, "appender");
        this.readModel = Objects.requireNonNull(readModel, "readModel");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.owner = Objects.requireNonNull(owner, "owner");
        Account account = new Account();
        this.accounts = DeciderRepository.builder(store, serializer, Account.CATEGORY, AccountEvent.class, account)
                .build();
        this.snapshottedAccounts = DeciderRepository
                .builder(store, serializer, Account.CATEGORY, AccountEvent.class, account)
                .snapshots(snapshots, SnapshotPolicy.never(), STATE_VERSION, Account.State.class)
                .build();
        this.commandedAccounts = DeciderRepository.builder(store, serializer, Account.CATEGORY, AccountEvent.class,
                Decider.<Account.Command, AccountEvent, Account.State>of(account::initialState, (command, state) -> {
                    decisions.get()[0]++;
                    return account.decide(command, state);
                }, account::evolve)).build();
    }

    /**
     * Relato with the {@code @PersonalData} fields of the account events encrypted, one data key per account,
     * wrapped by a fixed key-encryption key.
     *
     * @param keys where the store's data keys live
     */
    static RelatoSubject encrypted(EventStore store, DataKeyStore keys, SnapshotStore snapshots,
                                   ReadModel<?> readModel, AutoCloseable owner) {
        EventStore encrypting = PersonalDataStore.builder(store).keyStore(keys)
                .keyEncryptionKey(KeyEncryptionKey.of(new byte[32], "the bench's fixed key")).types(Account.TYPES)
                .build();
        return new RelatoSubject(Backend.RELATO_ENCRYPTED, encrypting, encrypting::append, snapshots, readModel,
                owner);
    }

    /** How events reach the store. */
    @FunctionalInterface
    interface Appender {
        AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events);
    }

    /**
     * The same store, read the same way, with appends made by {@code appender}; closing it leaves the store open.
     *
     * @param kind the new subject's kind
     */
    RelatoSubject appendingThrough(String kind, Appender appender) {
        return new RelatoSubject(kind, store, appender, snapshots, readModel, () -> { });
    }

    /** The store under this subject. */
    EventStore store() {
        return store;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public boolean supports(Workload workload) {
        if (kind.equals(Backend.RELATO_ENCRYPTED)) {
            return workload == Workload.BATCH_APPEND || workload == Workload.AGGREGATE_LOAD;
        }
        return kind.equals(Backend.RELATO) || workload == Workload.SINGLE_APPENDS;
    }

    @Override
    public long append(StreamId stream, long expectedVersion, List<AccountEvent> events) throws VersionConflict {
        return appended(stream, expectedVersion, events).lastVersion();
    }

    /**
     * Appends as {@link #append} does.
     *
     * @return what the store reports: versions and positions written
     */
    AppendResult appended(StreamId stream, long expectedVersion, List<AccountEvent> events) throws VersionConflict {
        List<EventData> data = new ArrayList<>(events.size());
        for (AccountEvent event : events) {
            data.add(serializer.serialize(event, Metadata.empty()));
        }
        try {
            return appender.append(stream, ExpectedVersion.exactly(expectedVersion), data);
        } catch (WrongExpectedVersionException e) {
            throw new VersionConflict(e.actualVersion());
        }
    }

    /** Through a {@link DeciderRepository} with its default retries; the conflicts are the extra decisions. */
    @Override
    public long handle(StreamId stream, Account.Command command) {
        long before = decisions.get()[0];
        commandedAccounts.handle(stream.id(), command);
        return decisions.get()[0] - before - 1;
    }

    @Override
    public long readAll() {
        long count = 0;
        try (Stream<RecordedEvent> log = store.readAll(GlobalRead.fromStart())) {
            for (RecordedEvent record : (Iterable<RecordedEvent>) log::iterator) {
                Blackhole.consume(serializer.deserialize(record));
                count++;
            }
        }
        return count;
    }

    @Override
    public Account.State load(StreamId stream) {
        return accounts.load(stream.id()).map(Aggregate::state)
                .orElseThrow(() -> new IllegalStateException("no stream " + stream));
    }

    @Override
    public void snapshot(StreamId stream) {
        Aggregate<Account.State> current = accounts.load(stream.id())
                .orElseThrow(() -> new IllegalStateException("no stream " + stream));
        snapshots.save(new Snapshot(stream, current.version(), STATE_VERSION,
                serializer.codec().encode(current.state()), Instant.now()));
    }

    @Override
    public Account.State loadFromSnapshot(StreamId stream) {
        return snapshottedAccounts.load(stream.id()).map(Aggregate::state)
                .orElseThrow(() -> new IllegalStateException("no stream " + stream));
    }

    @Override
    public long project(String name) throws InterruptedException {
        return project(readModel, name);
    }

    private <C> long project(ReadModel<C> model, String name) throws InterruptedException {
        model.clear();
        Projection<C> projection = Projection.<C>named(name)
                .on(AccountEvent.class, (context, event, record) -> model.apply(context, event))
                .build();
        try (ProjectionRunner<C> runner = ProjectionRunner.builder(projection, store, serializer)
                .transactions(model.transactions())
                .batchSize(PROJECTION_BATCH)
                .start()) {
            if (!runner.awaitCaughtUp(Duration.ofMinutes(10))) {
                throw new IllegalStateException("projection " + name + " did not catch up: " + runner.status());
            }
        }
        return model.countedEvents();
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close " + store, e);
        }
    }

    @Override
    public String toString() {
        return "Relato (" + kind + ") on " + store;
    }
}
