package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.Subscription;
import dev.relato.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Within one stream, global positions rise with versions: the global log, and every subscriber, show a
 * stream's events in version order, however many writers contend for the stream and whatever they expect.
 * Runs inside {@link EventStoreContract} on the store of the running test, so every store keeps it.
 */
public abstract class PerStreamOrderContract {

    /** The store under test, empty and open. */
    protected abstract EventStore store();

    @Test
    @DisplayName("32 writers on one stream with any(), streamExists() and exact versions: the log shows versions 1..n in position order, none lost or repeated, live too")
    void contendedWritersKeepVersionOrderInTheLog() throws InterruptedException {
        EventStore store = store();
        int writers = 32;
        int appendsEach = 8;
        String category = "Ordered" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        StreamId s = StreamId.of(category, "contended");
        ConcurrentLinkedQueue<UUID> written = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<AppendResult> results = new ConcurrentLinkedQueue<>();
        RecordingListener live = new RecordingListener();

        try (Subscription subscription = store.subscribe(store.headPosition(), EventFilter.categories(category), live)) {
            assertThat(subscription.awaitCaughtUp(Await.LIMIT)).as("subscription caught up").isTrue();
            Concurrently.run(writers, w -> {
                for (int i = 0; i < appendsEach; i++) {
                    List<EventData> events = new ArrayList<>();
                    for (int n = 0; n < 1 + (w + i) % 2; n++) {
                        events.add(EventData.of("Step", "{\"writer\":" + w + ",\"i\":" + i + ",\"n\":" + n + "}"));
                    }
                    results.add(append(store, s, events, (w + i) % 3));
                    events.forEach(e -> written.add(e.eventId()));
                }
            });
            int total = written.size();
            Await.until("the subscription has delivered " + total + " events", () -> live.count() >= total,
                    live::toString);
            assertThat(subscription.isRunning()).isTrue();
        }

        List<RecordedEvent> log;
        try (Stream<RecordedEvent> all = store.readAll(GlobalRead.fromStart().filter(EventFilter.categories(category)))) {
            log = all.collect(Collectors.toList());
        }
        int total = written.size();
        List<Long> expectedVersions = LongStream.rangeClosed(1, total).boxed().collect(Collectors.toList());
        assertThat(log).as("the log in position order").extracting(RecordedEvent::streamVersion)
                .isEqualTo(expectedVersions);
        assertPositionsRise(log);
        assertThat(new HashSet<>(ids(log))).hasSize(total).isEqualTo(new HashSet<>(written));
        assertThat(ids(store.read(s))).as("the stream read in version order").isEqualTo(ids(log));

        List<RecordedEvent> delivered = live.events();
        assertThat(delivered).as("live delivery").extracting(RecordedEvent::streamVersion).isEqualTo(expectedVersions);
        assertThat(ids(delivered)).isEqualTo(ids(log));
        for (AppendResult r : results) {
            RecordedEvent first = log.get((int) r.firstVersion() - 1);
            RecordedEvent last = log.get((int) r.lastVersion() - 1);
            assertThat(first.position()).as("first position of the append at version %d", r.firstVersion())
                    .isEqualTo(r.firstPosition());
            assertThat(last.position()).as("last position of the append ending at version %d", r.lastVersion())
                    .isEqualTo(r.lastPosition());
        }
    }

    /**
     * One append, retried until it lands: {@code mode} 0 expects any(), 1 streamExists() (noStream() while
     * the stream is missing), 2 the version just read.
     */
    private static AppendResult append(EventStore store, StreamId s, List<EventData> events, int mode) {
        while (true) {
            long version = store.streamVersion(s);
            ExpectedVersion expected = switch (mode) {
                case 0 -> ExpectedVersion.any();
                case 1 -> version == 0 ? ExpectedVersion.noStream() : ExpectedVersion.streamExists();
                default -> ExpectedVersion.exactly(version);
            };
            try {
                AppendResult r = store.append(s, expected, events);
                assertThat(r.retried()).isFalse();
                assertThat(r.lastVersion() - r.firstVersion() + 1).isEqualTo(events.size());
                return r;
            } catch (WrongExpectedVersionException conflict) {
                assertThat(conflict.stream()).isEqualTo(s);
            }
        }
    }

    private static void assertPositionsRise(List<RecordedEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).position()).as("position of version %d, after version %d at %d",
                    events.get(i).streamVersion(), events.get(i - 1).streamVersion(), events.get(i - 1).position())
                    .isGreaterThan(events.get(i - 1).position());
        }
    }

    private static List<UUID> ids(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::eventId).collect(Collectors.toList());
    }
}
