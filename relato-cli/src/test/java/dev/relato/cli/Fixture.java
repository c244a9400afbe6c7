package dev.relato.cli;

import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Known events in a store: order o-1 (placed, line added, confirmed), order o-2 (placed, with a payload holding
 * markup), customer c-1 (registered); projection {@code order-list} checkpointed at o-1's third event, with a dead
 * letter for o-2's event.
 */
final class Fixture {
    static final StreamId O1 = StreamId.of("Order", "o-1");
    static final StreamId O2 = StreamId.of("Order", "o-2");
    static final StreamId C1 = StreamId.of("Customer", "c-1");
    static final String PROJECTION = "order-list";
    static final String MARKUP = "<script>alert('x')</script>";

    final List<RecordedEvent> o1;
    final RecordedEvent o2;
    final RecordedEvent c1;

    private Fixture(List<RecordedEvent> o1, RecordedEvent o2, RecordedEvent c1) {
        this.o1 = o1;
        this.o2 = o2;
        this.c1 = c1;
    }

    static Fixture write(EventStore store, CheckpointStore checkpoints, DeadLetterStore deadLetters) {
        store.append(O1, ExpectedVersion.noStream(), List.of(event("OrderPlaced", "{\"customer\":\"alice\"}")));
        store.append(O1, ExpectedVersion.exactly(1), List.of(event("OrderLineAdded", "{\"sku\":\"book\",\"quantity\":2}")));
        store.append(O1, ExpectedVersion.exactly(2), List.of(event("OrderConfirmed", "{}")));
        store.append(O2, ExpectedVersion.noStream(), List.of(event("OrderPlaced",
                "{\"customer\":\"bob\",\"note\":\"" + MARKUP.replace("'", "\\u0027") + "\"}")));
        store.append(C1, ExpectedVersion.noStream(), List.of(event("CustomerRegistered", "{\"name\":\"Alice\"}")));
        List<RecordedEvent> o1 = store.read(O1);
        RecordedEvent o2 = store.read(O2).get(0);
        RecordedEvent c1 = store.read(C1).get(0);
        checkpoints.save(PROJECTION, o1.get(2).position());
        deadLetters.add(DeadLetter.of(PROJECTION, o2, new IllegalStateException("no such customer: bob"), 3,
                Instant.parse("2026-12-03T08:00:00Z")));
        return new Fixture(o1, o2, c1);
    }

    static EventData event(String type, String payload) {
        return new EventData(UUID.randomUUID(), type, 1, payload, Metadata.empty().withCorrelationId("corr-1"));
    }
}
