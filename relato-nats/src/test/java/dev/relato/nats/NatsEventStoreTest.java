package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StoreFailureException;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.WrongExpectedVersionException;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.impl.NatsMessage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NatsEventStoreTest extends NatsStoreFixture {

    @Test
    void openConnectsToTheUrlWithTheDefaultsAndClosesTheConnectionItOwns() throws Exception {
        try (OwnNatsServer server = OwnNatsServer.start()) {
            StreamId stream = StreamId.of("Order", "1");
            try (NatsEventStore opened = NatsEventStore.open(server.url())) {
                assertThat(opened.streamName()).isEqualTo("relato");
                opened.append(stream, ExpectedVersion.noStream(), List.of(EventData.of("Placed", "{}")));
            }
            try (NatsEventStore again = NatsEventStore.open(server.url())) {
                assertThat(again.streamVersion(stream)).isEqualTo(1);
            }
        }
    }

    private static List<EventData> events(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> EventData.of("Happened", "{\"n\":" + i + "}")).toList();
    }

    @Test
    void appendsAndReadsBackWithVersionsAndPositions() {
        StreamId stream = StreamId.of("Order", "1");
        AppendResult first = store.append(stream, ExpectedVersion.noStream(), events(2));
        AppendResult second = store.append(stream, ExpectedVersion.exactly(2), events(3));

        assertThat(first.firstVersion()).isEqualTo(1);
        assertThat(first.lastVersion()).isEqualTo(2);
        assertThat(second.firstVersion()).isEqualTo(3);
        assertThat(second.lastVersion()).isEqualTo(5);
        assertThat(second.firstPosition()).isGreaterThan(first.lastPosition());
        List<RecordedEvent> read = store.read(stream);
        assertThat(read).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(read).extracting(RecordedEvent::payload)
                .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        assertThat(read.get(4).position()).isEqualTo(second.lastPosition());
        assertThat(store.streamVersion(stream)).isEqualTo(5);
        assertThat(store.headPosition()).isEqualTo(second.lastPosition());
    }

    @Test
    void idsWithSubjectSpecialCharactersAreKeptApart() {
        List<String> ids = List.of("a.b", "a", "*", ">", "with space", "ünïcødé-名前", "a.*.>", "-");
        for (String id : ids) {
            store.append(StreamId.of("Odd", id), ExpectedVersion.noStream(),
                    List.of(EventData.of("Named", "{\"id\":\"" + id + "\"}")));
        }
        for (String id : ids) {
            List<RecordedEvent> read = store.read(StreamId.of("Odd", id));
            assertThat(read).singleElement().satisfies(e -> {
                assertThat(e.streamId()).isEqualTo(StreamId.of("Odd", id));
                assertThat(e.payload()).isEqualTo("{\"id\":\"" + id + "\"}");
            });
        }
        assertThat(store.readAll(GlobalRead.fromStart()).map(RecordedEvent::streamId).map(StreamId::id))
                .containsExactlyElementsOf(ids);
    }

    @Test
    void wrongExpectedVersionCarriesTheActualVersion() {
        StreamId stream = StreamId.of("Order", "wev");
        store.append(stream, ExpectedVersion.any(), events(3));

        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(2), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> assertThat(e.actualVersion()).isEqualTo(3));
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> assertThat(e.actualVersion()).isEqualTo(3));
        assertThatThrownBy(() -> store.append(StreamId.of("Order", "none"), ExpectedVersion.streamExists(), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> assertThat(e.actualVersion()).isZero());
        assertThat(store.streamVersion(stream)).isEqualTo(3);
    }

    @Test
    void retriedAppendReturnsTheOriginalResult() {
        StreamId stream = StreamId.of("Order", "retry");
        List<EventData> batch = events(2);
        AppendResult original = store.append(stream, ExpectedVersion.noStream(), batch);
        store.append(stream, ExpectedVersion.exactly(2), events(1));

        AppendResult again = store.append(stream, ExpectedVersion.noStream(), batch);
        AppendResult anyAgain = store.append(stream, ExpectedVersion.any(), batch);

        assertThat(again.retried()).isTrue();
        assertThat(again.firstPosition()).isEqualTo(original.firstPosition());
        assertThat(again.lastVersion()).isEqualTo(2);
        assertThat(anyAgain.retried()).isTrue();
        assertThat(store.streamVersion(stream)).isEqualTo(3);
    }

    @Test
    void sameIdsElsewhereAreDuplicates() {
        List<EventData> batch = events(2);
        store.append(StreamId.of("Order", "a"), ExpectedVersion.noStream(), batch);

        assertThatThrownBy(() -> store.append(StreamId.of("Order", "b"), ExpectedVersion.any(), batch))
                .isInstanceOf(DuplicateEventException.class);
        assertThatThrownBy(() -> store.append(StreamId.of("Order", "a"), ExpectedVersion.any(), List.of(batch.get(1))))
                .isInstanceOf(DuplicateEventException.class);
        assertThatThrownBy(() -> store.append(StreamId.of("Order", "a"), ExpectedVersion.any(),
                List.of(EventData.of("New", "{}"), batch.get(0))))
                .isInstanceOf(DuplicateEventException.class);
        assertThat(store.streamVersion(StreamId.of("Order", "b"))).isZero();
        assertThat(store.streamVersion(StreamId.of("Order", "a"))).isEqualTo(2);
    }

    @Test
    void idsAreRecognisedAfterTheDuplicateWindowHasPassed() throws InterruptedException {
        try (NatsEventStore shortWindow = newStore(b -> b.duplicateWindow(Duration.ofMillis(100)))) {
            List<EventData> batch = events(2);
            AppendResult original = shortWindow.append(StreamId.of("Order", "w"), ExpectedVersion.any(), batch);
            Thread.sleep(1500); // let JetStream forget the message id, so only the durable index remains

            AppendResult again = shortWindow.append(StreamId.of("Order", "w"), ExpectedVersion.any(), batch);
            assertThat(again.retried()).isTrue();
            assertThat(again.firstPosition()).isEqualTo(original.firstPosition());
            assertThatThrownBy(() -> shortWindow.append(StreamId.of("Order", "x"), ExpectedVersion.any(), batch))
                    .isInstanceOf(DuplicateEventException.class);
            assertThat(shortWindow.read(StreamId.of("Order", "w"))).hasSize(2);
        }
    }

    @Test
    void retriesAreRecognisedWithoutTheIndexOrTheDuplicateWindow() throws Exception {
        try (NatsEventStore shortWindow = newStore(b -> b.duplicateWindow(Duration.ofMillis(100)))) {
            StreamId stream = StreamId.of("Order", "gap");
            List<EventData> first = events(2);
            List<EventData> second = events(1);
            AppendResult firstResult = shortWindow.append(stream, ExpectedVersion.any(), first);
            AppendResult secondResult = shortWindow.append(stream, ExpectedVersion.exactly(2), second);
            Thread.sleep(1500); // let JetStream forget the message ids
            KeyValue index = connection.keyValue(shortWindow.streamName() + "-event-ids");
            for (EventData e : concat(first, second)) {
                index.purge(e.eventId().toString()); // as if the index writes had failed
            }

            AppendResult lastAgain = shortWindow.append(stream, ExpectedVersion.any(), second);
            assertThat(lastAgain.retried()).isTrue();
            assertThat(lastAgain.firstPosition()).isEqualTo(secondResult.firstPosition());
            AppendResult placedAgain = shortWindow.append(stream, ExpectedVersion.noStream(), first);
            assertThat(placedAgain.retried()).isTrue();
            assertThat(placedAgain.lastPosition()).isEqualTo(firstResult.lastPosition());
            assertThat(shortWindow.read(stream)).hasSize(3);
            // the retries wrote the index again, so the ids are known everywhere
            assertThatThrownBy(() -> shortWindow.append(StreamId.of("Order", "other"), ExpectedVersion.any(), first))
                    .isInstanceOf(DuplicateEventException.class);
        }
    }

    private static List<EventData> concat(List<EventData> a, List<EventData> b) {
        List<EventData> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void concurrentWritersNeverLeaveGapsOrDuplicates() throws Exception {
        StreamId stream = StreamId.of("Counter", "shared");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> writers = new ArrayList<>();
        List<Long> versions = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            writers.add(pool.submit(() -> {
                for (int i = 0; i < 15; i++) {
                    versions.add(store.append(stream, ExpectedVersion.any(), events(2)).lastVersion());
                }
            }));
        }
        for (Future<?> writer : writers) {
            writer.get();
        }
        pool.shutdown();
        assertThat(versions).doesNotHaveDuplicates().hasSize(60);
        List<RecordedEvent> read = store.read(stream);
        assertThat(read).extracting(RecordedEvent::streamVersion)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 120).mapToObj(i -> (long) i).toList());
        assertThat(read).extracting(RecordedEvent::position).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void readsRangesBackwardsLimitsAndLongStreams() {
        StreamId stream = StreamId.of("Long", "1");
        for (int i = 0; i < 50; i++) {
            store.append(stream, ExpectedVersion.any(), events(3));
        }
        List<RecordedEvent> all = store.read(stream);
        assertThat(all).hasSize(150);
        assertThat(store.read(stream, StreamRead.forwards().from(140))).containsExactlyElementsOf(all.subList(139, 150));
        assertThat(store.readAll(GlobalRead.fromStart()).toList()).containsExactlyElementsOf(all);
        assertThat(store.read(stream, StreamRead.forwards().from(10).to(14)))
                .extracting(RecordedEvent::streamVersion).containsExactly(10L, 11L, 12L, 13L, 14L);
        assertThat(store.read(stream, StreamRead.forwards().from(140).limit(3)))
                .extracting(RecordedEvent::streamVersion).containsExactly(140L, 141L, 142L);
        assertThat(store.read(stream, StreamRead.backwards().limit(4)))
                .extracting(RecordedEvent::streamVersion).containsExactly(150L, 149L, 148L, 147L);
        assertThat(store.read(stream, StreamRead.backwards().from(5)))
                .extracting(RecordedEvent::streamVersion).containsExactly(5L, 4L, 3L, 2L, 1L);
        assertThat(store.read(stream, StreamRead.forwards().from(151))).isEmpty();
    }

    @Test
    void readAllFiltersByCategoryAndType() {
        for (int i = 0; i < 30; i++) {
            store.append(StreamId.of(i % 2 == 0 ? "Even" : "Odd", "s" + i), ExpectedVersion.noStream(),
                    List.of(EventData.of("A", "{}"), EventData.of("B", "{}")));
        }
        assertThat(store.readAll(GlobalRead.fromStart().batchSize(7)).toList()).hasSize(60)
                .extracting(RecordedEvent::position).isSorted().doesNotHaveDuplicates();
        assertThat(store.readAll(GlobalRead.fromStart().filter(EventFilter.categories("Even")).batchSize(4)).toList())
                .hasSize(30).allSatisfy(e -> assertThat(e.streamId().category()).isEqualTo("Even"));
        assertThat(store.readAll(GlobalRead.fromStart().filter(EventFilter.types("B")).batchSize(5)).toList())
                .hasSize(30).allSatisfy(e -> assertThat(e.type()).isEqualTo("B"));
        RecordedEvent tenth = store.readAll(GlobalRead.fromStart()).skip(9).findFirst().orElseThrow();
        assertThat(store.readAll(GlobalRead.after(tenth.position())).count()).isEqualTo(50);
    }

    @Test
    void subscriptionCatchesUpThenFollowsLiveAppends() throws Exception {
        store.append(StreamId.of("Sub", "1"), ExpectedVersion.any(), events(3));
        List<RecordedEvent> seen = Collections.synchronizedList(new ArrayList<>());
        try (Subscription subscription = store.subscribe(0, EventFilter.all(), seen::add)) {
            assertThat(subscription.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            try (NatsEventStore other = sameStream()) {
                other.append(StreamId.of("Sub", "2"), ExpectedVersion.any(), events(2));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (seen.size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertThat(seen).hasSize(5).extracting(RecordedEvent::position).isSorted();
    }

    @Test
    void rejectsAppendsTooLargeForOneMessage() {
        StreamId stream = StreamId.of("Big", "1");
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), events(65_536)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("65535");
        String big = "{\"x\":\"" + "y".repeat(300_000) + "\"}";
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(),
                List.of(EventData.of("Big", big), EventData.of("Big", big), EventData.of("Big", big), EventData.of("Big", big))))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("max payload");
        assertThat(store.streamVersion(stream)).isZero();
    }

    @Test
    void metadataAndTypesRoundTrip() {
        StreamId stream = StreamId.of("Meta", "1");
        EventData event = new EventData(UUID.randomUUID(), "Typed \"quoted\"", 3, "[1, 2.50, \"x\"]",
                Metadata.empty().withCorrelationId("corr").with("k", "v \u00e9"));
        store.append(stream, ExpectedVersion.any(), List.of(event));
        RecordedEvent read = store.read(stream).get(0);
        assertThat(read.eventId()).isEqualTo(event.eventId());
        assertThat(read.type()).isEqualTo(event.type());
        assertThat(read.schemaVersion()).isEqualTo(3);
        assertThat(read.payload()).isEqualTo(event.payload());
        assertThat(read.metadata()).isEqualTo(event.metadata());
        RecordedEvent global = store.readAll(GlobalRead.fromStart()).findFirst().orElseThrow();
        assertThat(global).isEqualTo(read);
    }

    @Test
    void anEventWhoseMetadataCannotBeDecodedNeverBlocksAppends() throws Exception {
        StreamId stream = StreamId.of("Order", "poisoned");
        AppendResult first = store.append(stream, ExpectedVersion.noStream(), events(1));
        long previous = StoredBatch.sequenceOf(first.firstPosition());
        // version 2: a message in the store's format whose metadata is not JSON, published past the store
        Message poisoned = NatsMessage.builder()
                .subject(streamName + ".Order." + Names.encode("poisoned"))
                .headers(BatchCodec.headers(2, 2, previous))
                .data(body(UUID.randomUUID(), "Poisoned", "{\"n\":2}", "{not json"))
                .build();
        connection.jetStream().publish(poisoned, PublishOptions.builder().expectedLastSubjectSequence(previous).build());

        List<EventData> third = events(1);
        assertThat(store.append(stream, ExpectedVersion.exactly(2), third).lastVersion()).isEqualTo(3);
        assertThat(store.append(stream, ExpectedVersion.exactly(2), third).retried()).isTrue();
        assertThat(store.append(stream, ExpectedVersion.any(), events(2)).lastVersion()).isEqualTo(5);
        assertThat(store.streamVersion(stream)).isEqualTo(5);
        assertThat(store.read(stream, StreamRead.forwards().from(3))).extracting(RecordedEvent::streamVersion)
                .containsExactly(3L, 4L, 5L);
        assertThatThrownBy(() -> store.read(stream)).isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("versions 2-2").hasMessageContaining("cannot be decoded");
    }

    /** One event framed as the store frames an append's body, with the metadata text given as it is. */
    private static byte[] body(UUID id, String type, String payload, String metadata) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1); // format
            out.writeInt(1); // events
            out.writeLong(id.getMostSignificantBits());
            out.writeLong(id.getLeastSignificantBits());
            writeText(out, type);
            out.writeInt(1); // schema version
            writeText(out, metadata);
            writeText(out, payload);
        }
        return bytes.toByteArray();
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
