package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.InvalidInputException;
import dev.relato.RecordedEvent;
import dev.relato.StoreCompanions;
import dev.relato.StreamDeletedException;
import dev.relato.StreamId;
import dev.relato.StreamNotice;
import dev.relato.StreamOperations;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.WrongExpectedVersionException;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link StreamOperations}: deleting, tombstoning and truncating streams, and what that does to
 * stream reads, the global log, expected versions, subscriptions and snapshots; and the {@link StreamNotice notices}
 * of removals that readers, subscriptions and projections ask for, with a projection's checkpoint and rebuild. A backend extends it with one
 * small subclass whose {@link #createStore()} returns a new, empty store that implements both
 * {@link EventStore}, {@link StreamOperations} and {@link StoreCompanions}; a deletion must also remove the
 * stream's snapshot from the store's own {@link StoreCompanions#snapshots() snapshot store}.
 */
public abstract class StreamOperationsContract {
    private EventStore store;
    private StreamOperations operations;

    /** For the subclass of a store module. */
    protected StreamOperationsContract() {
    }

    /** A new, empty store implementing {@link StreamOperations}, isolated from every other. */
    protected abstract EventStore createStore();

    /** Releases what {@link #createStore()} made; by default closes the store. */
    protected void destroyStore(EventStore store) {
        store.close();
    }


    @BeforeEach
    protected final void createStoreUnderTest() {
        store = createStore();
        assertThat(store).as("createStore() returns a store with stream operations and companions")
                .isInstanceOf(StreamOperations.class).isInstanceOf(StoreCompanions.class);
        operations = (StreamOperations) store;
    }

    @AfterEach
    protected final void destroyStoreUnderTest() {
        if (store != null) {
            destroyStore(store);
        }
    }

    private static StreamId stream() {
        return StreamId.of("deletion", UUID.randomUUID().toString());
    }

    private static List<EventData> events(int count) {
        List<EventData> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(EventData.of("Noted", "{\"n\":" + i + "}"));
        }
        return list;
    }

    private List<RecordedEvent> readAll() {
        try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart())) {
            return events.collect(Collectors.toList());
        }
    }

    private static List<Long> versions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::streamVersion).collect(Collectors.toList());
    }

    private List<StreamId> streamsInLog() {
        return readAll().stream().map(RecordedEvent::streamId).distinct().collect(Collectors.toList());
    }

    @Test
    @DisplayName("a deleted stream reads empty, leaves the global log, and starts again at version 1")
    void deleteRemovesEverywhere() {
        StreamId gone = stream();
        StreamId kept = stream();
        store.append(gone, ExpectedVersion.noStream(), events(3));
        store.append(kept, ExpectedVersion.noStream(), events(2));
        long head = store.headPosition();
        List<Long> keptPositions = store.read(kept).stream().map(RecordedEvent::position).collect(Collectors.toList());

        assertThat(operations.deleteStream(gone, ExpectedVersion.exactly(3))).isEqualTo(3);

        assertThat(store.read(gone)).isEmpty();
        assertThat(store.read(gone, StreamRead.backwards())).isEmpty();
        assertThat(store.streamVersion(gone)).isZero();
        assertThat(store.exists(gone)).isFalse();
        assertThat(streamsInLog()).containsExactly(kept);
        assertThat(store.read(kept).stream().map(RecordedEvent::position)).containsExactlyElementsOf(keptPositions);
        assertThat(operations.isTombstoned(gone)).isFalse();

        store.append(gone, ExpectedVersion.noStream(), events(1));
        List<RecordedEvent> again = store.read(gone);
        assertThat(versions(again)).containsExactly(1L);
        assertThat(again.get(0).position()).as("positions are never given again").isGreaterThan(head);
        assertThat(streamsInLog()).containsExactlyInAnyOrder(kept, gone);
    }

    @Test
    @DisplayName("a delete checks the expected version and removes nothing on a mismatch")
    void deleteChecksExpectedVersion() {
        StreamId s = stream();
        store.append(s, ExpectedVersion.noStream(), events(2));

        assertThatThrownBy(() -> operations.deleteStream(s, ExpectedVersion.exactly(1)))
                .isInstanceOf(WrongExpectedVersionException.class)
                .satisfies(e -> assertThat(((WrongExpectedVersionException) e).actualVersion()).isEqualTo(2));
        assertThatThrownBy(() -> operations.deleteStream(s, ExpectedVersion.noStream()))
                .isInstanceOf(WrongExpectedVersionException.class);
        assertThat(versions(store.read(s))).containsExactly(1L, 2L);

        assertThat(operations.deleteStream(stream(), ExpectedVersion.any())).as("nothing to delete").isZero();
        assertThat(operations.deleteStream(s, ExpectedVersion.streamExists())).isEqualTo(2);
        assertThatThrownBy(() -> operations.deleteStream(s, ExpectedVersion.streamExists()))
                .isInstanceOf(WrongExpectedVersionException.class);
    }

    @Test
    @DisplayName("the event ids of a deleted stream can be appended again")
    void deletedIdsAreFree() {
        StreamId s = stream();
        List<EventData> first = events(2);
        store.append(s, ExpectedVersion.noStream(), first);
        operations.deleteStream(s, ExpectedVersion.any());

        StreamId other = stream();
        store.append(other, ExpectedVersion.noStream(), first);
        assertThat(store.read(other).stream().map(RecordedEvent::eventId))
                .containsExactlyElementsOf(first.stream().map(EventData::eventId).collect(Collectors.toList()));
    }

    @Test
    @DisplayName("a tombstoned stream refuses every later append and stays empty")
    void tombstoneRefusesRecreation() {
        StreamId s = stream();
        store.append(s, ExpectedVersion.noStream(), events(2));

        assertThat(operations.tombstoneStream(s, ExpectedVersion.exactly(2))).isEqualTo(2);
        assertThat(operations.isTombstoned(s)).isTrue();
        assertThat(store.read(s)).isEmpty();
        assertThat(store.streamVersion(s)).isZero();
        assertThat(streamsInLog()).doesNotContain(s);

        for (ExpectedVersion expected : List.of(ExpectedVersion.noStream(), ExpectedVersion.any(),
                ExpectedVersion.streamExists(), ExpectedVersion.exactly(2))) {
            assertThatThrownBy(() -> store.append(s, expected, events(1)))
                    .as("append with expected version %s", expected)
                    .isInstanceOf(StreamDeletedException.class)
                    .hasMessageContaining(s.toString());
        }
        assertThat(store.read(s)).isEmpty();
        assertThat(operations.tombstoneStream(s, ExpectedVersion.any())).as("tombstoning again").isZero();
        assertThat(operations.deleteStream(s, ExpectedVersion.any())).as("deleting a tombstone").isZero();
        assertThat(operations.isTombstoned(s)).as("a delete does not lift a tombstone").isTrue();
    }

    @Test
    @DisplayName("tombstoning a stream that never existed reserves its name")
    void tombstoneUnknownStream() {
        StreamId s = stream();
        assertThat(operations.tombstoneStream(s, ExpectedVersion.noStream())).isZero();
        assertThatThrownBy(() -> store.append(s, ExpectedVersion.noStream(), events(1)))
                .isInstanceOf(StreamDeletedException.class);
    }

    @Test
    @DisplayName("truncating keeps the tail with its versions, and appends continue the numbering")
    void truncateKeepsTail() {
        StreamId s = stream();
        StreamId other = stream();
        store.append(s, ExpectedVersion.noStream(), events(5));
        store.append(other, ExpectedVersion.noStream(), events(1));

        assertThat(operations.truncateBefore(s, 3)).isEqualTo(2);

        assertThat(versions(store.read(s))).containsExactly(3L, 4L, 5L);
        assertThat(versions(store.read(s, StreamRead.backwards()))).containsExactly(5L, 4L, 3L);
        assertThat(store.streamVersion(s)).isEqualTo(5);
        assertThat(readAll().stream().filter(e -> e.streamId().equals(s)).map(RecordedEvent::streamVersion))
                .containsExactly(3L, 4L, 5L);
        assertThat(operations.truncateBefore(s, 2)).as("already gone").isZero();

        assertThatThrownBy(() -> store.append(s, ExpectedVersion.noStream(), events(1)))
                .isInstanceOf(WrongExpectedVersionException.class);
        store.append(s, ExpectedVersion.exactly(5), events(1));
        assertThat(versions(store.read(s))).containsExactly(3L, 4L, 5L, 6L);
        assertThat(versions(store.read(other))).containsExactly(1L);
    }

    @Test
    @DisplayName("truncating past the end keeps the last event; a version below 1 is refused")
    void truncateNeverEmpties() {
        StreamId s = stream();
        store.append(s, ExpectedVersion.noStream(), events(3));

        assertThat(operations.truncateBefore(s, 100)).isEqualTo(2);
        assertThat(versions(store.read(s))).containsExactly(3L);
        assertThat(store.streamVersion(s)).isEqualTo(3);
        assertThat(operations.truncateBefore(stream(), 5)).as("no such stream").isZero();
        assertThatThrownBy(() -> operations.truncateBefore(s, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("0");
    }

    @Test
    @DisplayName("a subscription started after a delete or truncation never sees the removed events")
    void subscriptionsSkipRemovedEvents() {
        StreamId gone = stream();
        StreamId cut = stream();
        store.append(gone, ExpectedVersion.noStream(), events(2));
        store.append(cut, ExpectedVersion.noStream(), events(3));
        operations.deleteStream(gone, ExpectedVersion.any());
        operations.truncateBefore(cut, 3);
        store.append(cut, ExpectedVersion.exactly(3), events(1));

        RecordingListener listener = new RecordingListener();
        try (Subscription subscription = store.subscribe(0, EventFilter.all(), listener)) {
            Await.until("the subscription caught up", () -> listener.caughtUpCalls() > 0);
            assertThat(listener.events().stream().map(e -> e.streamId() + "@" + e.streamVersion()))
                    .containsExactly(cut + "@3", cut + "@4");
            assertThat(subscription.failure()).isEmpty();
        }
    }

    @Test
    @DisplayName("a delete removes the stream's snapshot in the store's own snapshot store; truncating keeps it")
    void snapshotsFollowDeletion() {
        SnapshotStore snapshots = ((StoreCompanions) store).snapshots();
        StreamId deleted = stream();
        StreamId truncated = stream();
        store.append(deleted, ExpectedVersion.noStream(), events(2));
        store.append(truncated, ExpectedVersion.noStream(), events(4));
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        snapshots.save(new Snapshot(deleted, 2, 1, "{\"total\":2}", now));
        snapshots.save(new Snapshot(truncated, 3, 1, "{\"total\":3}", now));

        operations.deleteStream(deleted, ExpectedVersion.any());
        operations.truncateBefore(truncated, 3);

        assertThat(snapshots.load(deleted)).isEmpty();
        assertThat(snapshots.load(truncated)).hasValueSatisfying(s -> assertThat(s.version()).isEqualTo(3));
    }

    private static String entry(RecordedEvent record) {
        return StreamNotice.from(record).map(n -> n.kind() + " " + n.stream() + (n.streamGone() ? "" : " from "
                + n.keptFrom())).orElse(record.streamId() + "@" + record.streamVersion());
    }

    private List<String> readAll(EventFilter filter) {
        try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart().filter(filter))) {
            return events.map(StreamOperationsContract::entry).collect(Collectors.toList());
        }
    }

    @Test
    @DisplayName("each removal writes a notice after the stream's events, shown only to readers that ask for notices")
    void removalsWriteNotices() {
        StreamId deleted = stream();
        StreamId cut = stream();
        StreamId tombstoned = stream();
        store.append(deleted, ExpectedVersion.noStream(), events(2));
        store.append(cut, ExpectedVersion.noStream(), events(3));
        store.append(tombstoned, ExpectedVersion.noStream(), events(1));
        long head = store.headPosition();
        operations.deleteStream(deleted, ExpectedVersion.any());
        operations.tombstoneStream(tombstoned, ExpectedVersion.any());
        operations.truncateBefore(cut, 3);
        operations.deleteStream(stream(), ExpectedVersion.any());
        operations.truncateBefore(cut, 2);
        store.append(cut, ExpectedVersion.exactly(3), events(1));
        store.append(deleted, ExpectedVersion.noStream(), events(1));

        List<String> expected = List.of(cut + "@3", "DELETED " + deleted, "TOMBSTONED " + tombstoned,
                "TRUNCATED " + cut + " from 3", cut + "@4", deleted + "@1");
        assertThat(readAll(EventFilter.all().withStreamNotices()))
                .as("a removal that removed nothing writes no notice").containsExactlyElementsOf(expected);
        assertThat(readAll(EventFilter.categories("deletion").withStreamNotices())).containsExactlyElementsOf(expected);
        assertThat(readAll(EventFilter.types("Other").withStreamNotices()))
                .as("types do not apply to notices").containsExactlyElementsOf(expected.subList(1, 4));
        assertThat(readAll(EventFilter.categories("elsewhere").withStreamNotices())).isEmpty();
        assertThat(readAll(EventFilter.all())).containsExactly(cut + "@3", cut + "@4", deleted + "@1");

        List<RecordedEvent> notices;
        try (Stream<RecordedEvent> all = store.readAll(GlobalRead.fromStart().filter(EventFilter.all()
                .withStreamNotices()))) {
            notices = all.filter(StreamNotice::isNotice).collect(Collectors.toList());
        }
        assertThat(notices).allSatisfy(n -> assertThat(n.position()).isGreaterThan(head));
        assertThat(StreamNotice.from(notices.get(2))).hasValueSatisfying(n -> {
            assertThat(n.position()).isEqualTo(notices.get(2).position());
            assertThat(n.keptFrom()).isEqualTo(3);
        });
        assertThat(store.headPosition()).isGreaterThanOrEqualTo(notices.get(2).position());

        RecordingListener asked = new RecordingListener();
        RecordingListener plain = new RecordingListener();
        try (Subscription withNotices = store.subscribe(0, EventFilter.all().withStreamNotices(), asked);
             Subscription without = store.subscribe(0, EventFilter.all(), plain)) {
            Await.until("the subscriptions caught up", () -> asked.caughtUpCalls() > 0 && plain.caughtUpCalls() > 0);
            assertThat(asked.events().stream().map(StreamOperationsContract::entry)).containsExactlyElementsOf(expected);
            assertThat(plain.events().stream().map(StreamOperationsContract::entry))
                    .containsExactly(cut + "@3", cut + "@4", deleted + "@1");
            StreamId live = stream();
            store.append(live, ExpectedVersion.noStream(), events(1));
            Await.until("the live event arrives", () -> asked.count() == expected.size() + 1 && plain.count() == 4);
            operations.deleteStream(live, ExpectedVersion.any());
            store.append(cut, ExpectedVersion.any(), events(1));
            Await.until("the live notice arrives", () -> asked.count() == expected.size() + 3);
            Await.until("the live events arrive", () -> plain.count() == 5);
            assertThat(asked.events().stream().skip(expected.size()).map(StreamOperationsContract::entry))
                    .containsExactly(live + "@1", "DELETED " + live, cut + "@5");
            assertThat(plain.events().stream().skip(3).map(StreamOperationsContract::entry))
                    .containsExactly(live + "@1", cut + "@5");
            assertThat(withNotices.failure()).isEmpty();
            assertThat(without.failure()).isEmpty();
        }
        assertThatThrownBy(() -> store.append(stream(), ExpectedVersion.any(),
                List.of(EventData.of(StreamNotice.DELETED_TYPE, "{}"))))
                .as("notice types are reserved").isInstanceOf(InvalidEventException.class);
    }

    @Test
    @DisplayName("a projection drops a removed stream's rows when told, keeps its checkpoint past the notice, and "
            + "a rebuild ends with the same read model")
    void projectionsAreToldOfRemovals() throws Exception {
        StreamId deleted = StreamId.of("Order", UUID.randomUUID().toString());
        StreamId cut = StreamId.of("Order", UUID.randomUUID().toString());
        StreamId tombstoned = StreamId.of("Order", UUID.randomUUID().toString());
        List<String> calls = new CopyOnWriteArrayList<>();
        String name = "rows-" + UUID.randomUUID();
        Projection<Map<StreamId, Set<Long>>> rows = Projection.<Map<StreamId, Set<Long>>>named(name)
                .on(ShopWorkflow.Paid.class, (model, event, record) -> {
                    calls.add(record.streamId() + "@" + record.streamVersion());
                    model.computeIfAbsent(record.streamId(), k -> new TreeSet<>()).add(record.streamVersion());
                })
                .onStreamDeleted((model, notice) -> {
                    calls.add(notice.kind() + " " + notice.stream());
                    model.remove(notice.stream());
                })
                .onStreamTruncated((model, notice) -> {
                    calls.add("TRUNCATED " + notice.stream() + " from " + notice.keptFrom());
                    model.computeIfPresent(notice.stream(), (k, versions) -> {
                        versions.removeIf(v -> v < notice.keptFrom());
                        return versions;
                    });
                })
                .build();
        CheckpointStore checkpoints = ((StoreCompanions) store).checkpoints();
        Map<StreamId, Set<Long>> model = new ConcurrentHashMap<>();
        pay(deleted, 2);
        pay(cut, 3);
        pay(tombstoned, 1);
        try (ProjectionRunner<Map<StreamId, Set<Long>>> runner = ProjectionRunner.builder(rows, store,
                ShopWorkflow.SERIALIZER).context(model, checkpoints).pollInterval(Duration.ofMillis(50)).start()) {
            assertThat(runner.awaitPosition(store.headPosition(), Await.LIMIT)).isTrue();
            operations.deleteStream(deleted, ExpectedVersion.any());
            operations.truncateBefore(cut, 2);
            operations.tombstoneStream(tombstoned, ExpectedVersion.any());
            pay(deleted, 1);
            assertThat(runner.awaitPosition(store.headPosition(), Await.LIMIT)).isTrue();
        }
        assertThat(calls).containsExactly(deleted + "@1", deleted + "@2", cut + "@1", cut + "@2", cut + "@3",
                tombstoned + "@1", "DELETED " + deleted, "TRUNCATED " + cut + " from 2", "TOMBSTONED " + tombstoned,
                deleted + "@1");
        assertThat(model).isEqualTo(Map.of(cut, Set.of(2L, 3L), deleted, Set.of(1L)));
        assertThat(checkpoints.load(name)).as("the checkpoint passed the notices").isEqualTo(store.headPosition());

        calls.clear();
        ProjectionRunner.builder(rows, store, ShopWorkflow.SERIALIZER).context(model, checkpoints).catchUp();
        assertThat(calls).as("a restart from the checkpoint delivers nothing again").isEmpty();

        Map<StreamId, Set<Long>> rebuilt = new ConcurrentHashMap<>();
        checkpoints.delete(name);
        ProjectionRunner.builder(rows, store, ShopWorkflow.SERIALIZER).context(rebuilt, checkpoints).catchUp();
        assertThat(rebuilt).as("a rebuild from the start").isEqualTo(model);
        assertThat(calls).containsExactly(cut + "@2", cut + "@3", "DELETED " + deleted,
                "TRUNCATED " + cut + " from 2", "TOMBSTONED " + tombstoned, deleted + "@1");
    }

    private void pay(StreamId order, int count) {
        List<EventData> paid = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            paid.add(ShopWorkflow.SERIALIZER.serialize(new ShopWorkflow.Paid(order.id())));
        }
        store.append(order, ExpectedVersion.any(), paid);
    }
}
