package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamDeletedException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import io.nats.client.Connection;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the stream operations contract cannot see on NATS: another process (a new store on the same JetStream stream)
 * finds deletes, tombstones and truncations as they were left; streams created by earlier versions with deletes and
 * purges denied; appends racing deletes.
 */
@ExtendWith(NatsServerCondition.class)
class NatsStreamOperationsTest {
    private Connection connection;
    private String streamName;

    @BeforeEach
    void setUp() {
        connection = NatsTestServer.connect();
        streamName = NatsTestServer.uniqueName("relato-streamops");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        NatsTestServer.deleteEventStore(connection, streamName);
        connection.close();
    }

    private NatsEventStore open() {
        return NatsEventStore.builder().connection(connection).streamName(streamName).build();
    }

    private static StreamId stream() {
        return StreamId.of("ops", UUID.randomUUID().toString());
    }

    private static List<EventData> events(int count) {
        List<EventData> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(EventData.of("Noted", "{\"n\":" + i + "}"));
        }
        return list;
    }

    private static List<Long> versions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::streamVersion).collect(Collectors.toList());
    }

    private static List<RecordedEvent> log(NatsEventStore store) {
        try (Stream<RecordedEvent> all = store.readAll(GlobalRead.fromStart())) {
            return all.collect(Collectors.toList());
        }
    }

    @Test
    void aNewStoreOnTheSameStreamSeesDeletesTombstonesAndTruncations() {
        StreamId deleted = stream();
        StreamId tombstoned = stream();
        StreamId truncated = stream();
        try (NatsEventStore first = open()) {
            first.append(deleted, ExpectedVersion.noStream(), events(2));
            first.append(tombstoned, ExpectedVersion.noStream(), events(2));
            first.append(truncated, ExpectedVersion.noStream(), events(2));
            first.append(truncated, ExpectedVersion.exactly(2), events(3));
            first.deleteStream(deleted, ExpectedVersion.exactly(2));
            first.tombstoneStream(tombstoned, ExpectedVersion.any());
            assertThat(first.truncateBefore(truncated, 4)).isEqualTo(3);
        }

        try (NatsEventStore second = open()) {
            assertThat(second.read(deleted)).isEmpty();
            assertThat(second.isTombstoned(deleted)).isFalse();
            assertThat(second.isTombstoned(tombstoned)).isTrue();
            assertThatThrownBy(() -> second.append(tombstoned, ExpectedVersion.any(), events(1)))
                    .isInstanceOf(StreamDeletedException.class);
            assertThat(versions(second.read(truncated))).containsExactly(4L, 5L);
            assertThat(second.streamVersion(truncated)).isEqualTo(5);
            assertThat(log(second).stream().map(e -> e.streamId() + "@" + e.streamVersion()))
                    .containsExactly(truncated + "@4", truncated + "@5");

            second.append(deleted, ExpectedVersion.noStream(), events(1));
            second.append(truncated, ExpectedVersion.exactly(5), events(1));
            assertThat(versions(second.read(deleted))).containsExactly(1L);
            assertThat(versions(second.read(truncated))).containsExactly(4L, 5L, 6L);
        }
    }

    @Test
    void aStreamWrittenAgainAfterADeleteIsNotHiddenByAnEarlierTruncation() {
        StreamId s = stream();
        try (NatsEventStore store = open()) {
            store.append(s, ExpectedVersion.noStream(), events(5));
            store.truncateBefore(s, 4);
            store.deleteStream(s, ExpectedVersion.exactly(5));
            store.append(s, ExpectedVersion.noStream(), events(3));

            assertThat(versions(store.read(s))).containsExactly(1L, 2L, 3L);
            assertThat(versions(log(store))).containsExactly(1L, 2L, 3L);
            assertThat(store.truncateBefore(s, 2)).isEqualTo(1);
            assertThat(versions(store.read(s))).containsExactly(2L, 3L);
        }
    }

    @Test
    void aStreamCreatedWithDeletesAndPurgesDeniedIsOpenedAndEitherFreedOrReported() throws Exception {
        connection.jetStreamManagement().addStream(StreamConfiguration.builder().name(streamName)
                .subjects(streamName + ".>").storageType(StorageType.File).discardPolicy(DiscardPolicy.New)
                .duplicateWindow(Duration.ofMinutes(2)).denyDelete(true).denyPurge(true).allowDirect(false).build());
        StreamId s = stream();
        try (NatsEventStore store = open()) {
            store.append(s, ExpectedVersion.noStream(), events(2));
            StreamConfiguration now = connection.jetStreamManagement().getStreamInfo(streamName).getConfiguration();
            if (now.getDenyPurge() || now.getDenyDelete()) {
                assertThatThrownBy(() -> store.deleteStream(s, ExpectedVersion.any()))
                        .isInstanceOf(NatsConfigurationException.class)
                        .hasMessageContaining(streamName).hasMessageContaining("deny_purge")
                        .hasMessageContaining("deny_delete");
                assertThatThrownBy(() -> store.truncateBefore(s, 2))
                        .isInstanceOf(NatsConfigurationException.class).hasMessageContaining("deny_purge");
                assertThat(versions(store.read(s))).as("nothing removed").containsExactly(1L, 2L);
            } else {
                assertThat(store.deleteStream(s, ExpectedVersion.exactly(2))).isEqualTo(2);
                assertThat(store.read(s)).isEmpty();
            }
        }
    }

    @Test
    void appendsRacingDeletesNeverBringBackDeletedEventsNorBreakVersions() throws Exception {
        StreamId s = stream();
        Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try (NatsEventStore store = open()) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                running.add(writers.submit(() -> {
                    while (!stop.get()) {
                        AppendResult result = store.append(s, ExpectedVersion.any(), events(2));
                        result.events().forEach(e -> acknowledged.add(e.eventId()));
                    }
                    return null;
                }));
            }
            Set<UUID> deleted = new HashSet<>(); // read before a delete that then went through: must stay gone
            for (int round = 0; round < 20; round++) {
                List<RecordedEvent> before = store.read(s);
                store.deleteStream(s, ExpectedVersion.any());
                before.forEach(e -> deleted.add(e.eventId()));
            }
            stop.set(true);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }

            List<RecordedEvent> remaining = store.read(s);
            assertThat(versions(remaining)).as("versions 1..n without gaps")
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, remaining.size()).boxed().toList());
            assertThat(remaining).extracting(RecordedEvent::eventId).doesNotContainAnyElementsOf(deleted)
                    .allMatch(acknowledged::contains);
            assertThat(log(store).stream().filter(e -> e.streamId().equals(s)).map(RecordedEvent::eventId))
                    .containsExactlyElementsOf(remaining.stream().map(RecordedEvent::eventId).toList());
            assertThat(deleted).as("some deletes went through").isNotEmpty();
        } finally {
            stop.set(true);
            writers.shutdownNow();
        }
    }

    @Test
    void anAppendExpectingAVersionADeleteRemovedIsRefused() {
        StreamId s = stream();
        try (NatsEventStore store = open()) {
            store.append(s, ExpectedVersion.noStream(), events(2));
            store.deleteStream(s, ExpectedVersion.any());
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.exactly(2), events(1)))
                    .isInstanceOf(WrongExpectedVersionException.class);
            assertThat(store.read(s)).isEmpty();
        }
    }
}
