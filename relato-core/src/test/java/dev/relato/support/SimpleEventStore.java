package dev.relato.support;

import dev.relato.AppendResult;
import dev.relato.Direction;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.WrongExpectedVersionException;
import dev.relato.spi.AppendValidation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A minimal, lock-based event store for the programming-model tests: versions, expected-version checks,
 * stream reads (with as-of) and global reads. No idempotent retries and no subscriptions.
 */
public final class SimpleEventStore implements EventStore {
    private final Map<StreamId, List<RecordedEvent>> streams = new HashMap<>();
    private final List<RecordedEvent> log = new ArrayList<>();

    @Override
    public synchronized AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        AppendValidation.validate(stream, expected, events, AppendValidation.DEFAULT_MAX_EVENT_BYTES);
        List<RecordedEvent> existing = streams.computeIfAbsent(stream, s -> new ArrayList<>());
        long version = existing.size();
        if (!expected.matches(version)) {
            throw new WrongExpectedVersionException(stream, expected, version);
        }
        Instant now = Instant.now();
        for (EventData e : events) {
            RecordedEvent recorded = new RecordedEvent(e.eventId(), stream, ++version, log.size() + 1L, e.type(),
                    e.schemaVersion(), e.payload(), e.metadata(), now);
            existing.add(recorded);
            log.add(recorded);
        }
        return new AppendResult(stream, version - events.size() + 1, version, log.size() - events.size() + 1,
                log.size(), false);
    }

    @Override
    public synchronized List<RecordedEvent> read(StreamId stream, StreamRead read) {
        List<RecordedEvent> result = new ArrayList<>();
        for (RecordedEvent e : streams.getOrDefault(stream, List.of())) {
            if (e.streamVersion() >= read.lowestVersion() && e.streamVersion() <= read.highestVersion()
                    && read.asOf().map(at -> !e.recordedAt().isAfter(at)).orElse(true)) {
                result.add(e);
            }
        }
        if (read.direction() == Direction.BACKWARDS) {
            java.util.Collections.reverse(result);
        }
        return result.size() > read.limit() ? List.copyOf(result.subList(0, read.limit())) : result;
    }

    @Override
    public synchronized Stream<RecordedEvent> readAll(GlobalRead read) {
        EventFilter filter = read.filter();
        return List.copyOf(log).stream().filter(e -> e.position() > read.afterPosition() && filter.matches(e))
                .limit(read.limit());
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        throw new UnsupportedOperationException("this test store has no subscriptions");
    }

    @Override
    public synchronized long streamVersion(StreamId stream) {
        return streams.getOrDefault(stream, List.of()).size();
    }

    @Override
    public synchronized long headPosition() {
        return log.size();
    }

    @Override
    public void close() {
    }
}
