package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.InvalidInputException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.Subscription;
import dev.relato.serialization.JacksonEventCodec;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Hostile text and the limits of the read side, part of {@link EventStoreContract} (run as its
 * {@code HostileInput} group). Text no store can keep as UTF-8 (unpaired UTF-16 surrogates, NUL) is refused on
 * the way in, so stores cannot disagree about it or merge ids that differ only there; and whatever a store
 * accepts, every reader can read back: stream reads, the global log and subscriptions. Nothing refused
 * changes the store.
 */
public abstract class HostileInputContract {
    private static final ObjectMapper JSON = JacksonEventCodec.defaultMapper();
    private static final String HIGH = "\uD800";
    private static final String LOW = "\uDFFF";
    private static final String PAIR = "\uD83D\uDE00";

    /** For the nested group of {@link EventStoreContract}. */
    protected HostileInputContract() {
    }

    /** The store under test. */
    protected abstract EventStore store();

    private static StreamId stream() {
        return StreamId.of("Hostile", UUID.randomUUID().toString());
    }

    private List<RecordedEvent> readAll() {
        try (Stream<RecordedEvent> events = store().readAll(GlobalRead.fromStart())) {
            return events.collect(Collectors.toList());
        }
    }

    private void assertNothingStored() {
        assertThat(store().headPosition()).as("head position after refused input").isZero();
        assertThat(readAll()).as("the log after refused input").isEmpty();
    }

    /** Reads the stream, the log and a subscription, and checks each returns exactly {@code expected}. */
    private void assertEveryReaderReturns(StreamId stream, EventData expected) {
        List<RecordedEvent> read = store().read(stream);
        assertThat(read).hasSize(1);
        RecordedEvent event = read.get(0);
        assertThat(event.eventId()).isEqualTo(expected.eventId());
        assertThat(event.streamId()).isEqualTo(stream);
        assertThat(event.type()).isEqualTo(expected.type());
        assertThat(tree(event.payload())).isEqualTo(tree(expected.payload()));
        assertThat(event.metadata()).isEqualTo(expected.metadata());
        assertThat(readAll()).filteredOn(e -> e.streamId().equals(stream)).containsExactly(event);
        RecordingListener listener = new RecordingListener();
        try (Subscription subscription = store().subscribe(0, EventFilter.all(), listener)) {
            Await.until("the subscription delivers the event", () -> listener.events().contains(event),
                    listener::toString);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + (json.length() > 200 ? json.substring(0, 200) + "…" : json), e);
        }
    }

    @Test
    @DisplayName("stream ids with an unpaired surrogate are refused, so they cannot collide")
    void unpairedSurrogatesInStreamIds() {
        for (String id : List.of(HIGH, LOW, "a" + HIGH + "b", LOW + HIGH, HIGH + HIGH, "x" + LOW)) {
            assertThatThrownBy(() -> StreamId.of("Odd", id)).as("id %s", id.chars().boxed().toList())
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("surrogate");
        }
        StreamId emoji = StreamId.of("Odd", PAIR);
        StreamId question = StreamId.of("Odd", "?");
        EventData first = EventData.of("Stored", "{}");
        EventData second = EventData.of("Stored", "{}");
        store().append(emoji, ExpectedVersion.noStream(), List.of(first));
        store().append(question, ExpectedVersion.noStream(), List.of(second));
        assertEveryReaderReturns(emoji, first);
        assertThat(store().read(question)).extracting(RecordedEvent::eventId).containsExactly(second.eventId());
    }

    @Test
    @DisplayName("event types, metadata keys and values with an unpaired surrogate or NUL are refused")
    void unpairedSurrogatesAndNulInNamesAndMetadata() {
        assertThatThrownBy(() -> EventData.of("Type" + HIGH, "{}")).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> EventData.of(LOW, "{}")).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> EventData.of("Type\u0000", "{}")).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> Metadata.empty().with("key" + HIGH, "v")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Metadata.empty().with("key", "v" + LOW)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Metadata.empty().with("key", "a\u0000b")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Metadata.empty().with("k".repeat(Metadata.MAX_KEY_LENGTH + 1), "v"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Metadata.empty().with("k".repeat(10_000), "v"))
                .isInstanceOf(InvalidInputException.class);
        assertNothingStored();

        StreamId s = stream();
        EventData paired = new EventData(UUID.randomUUID(), "Type" + PAIR, 1, "{}",
                Metadata.empty().with("key" + PAIR, "value" + PAIR + "\ttab\nnewline"));
        store().append(s, ExpectedVersion.noStream(), List.of(paired));
        assertEveryReaderReturns(s, paired);
    }

    @Test
    @DisplayName("payloads with an unpaired surrogate, raw or escaped, or an escaped NUL are refused")
    void unpairedSurrogatesAndNulInPayloads() {
        List<String> refused = List.of(
                "{\"a\":\"" + HIGH + "\"}", "{\"a\":\"" + LOW + "x\"}", "{\"" + HIGH + "\":1}",
                "{\"a\":\"\\uD800\"}", "{\"a\":\"\\udfff\"}", "{\"a\":\"\\uD800\\u0041\"}", "[\"\\uDC00\\uD800\"]",
                "{\"a\":\"\\u0000\"}", "{\"\\u0000\":1}");
        for (String payload : refused) {
            assertThatThrownBy(() -> EventData.of("Bad", payload)).as("payload %s", payload)
                    .isInstanceOf(InvalidEventException.class);
        }
        assertNothingStored();

        StreamId s = stream();
        EventData fine = EventData.of("Fine", "{\"raw\":\"" + PAIR + "\",\"escaped\":\"\\uD83D\\uDE00\","
                + "\"backslash\":\"\\\\uD800\"}");
        store().append(s, ExpectedVersion.noStream(), List.of(fine));
        assertEveryReaderReturns(s, fine);
    }

    @Test
    @DisplayName("what the read side could not parse is refused on write: nesting, number length")
    void readLimitsAreEnforcedOnWrite() {
        assertThatThrownBy(() -> EventData.of("Deep", "[".repeat(1001) + "]".repeat(1001)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("deeper");
        assertThatThrownBy(() -> EventData.of("Long", "{\"n\":" + "9".repeat(1001) + "}"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("number");
        assertNothingStored();

        StreamId deep = stream();
        EventData deepest = EventData.of("Deep", "{\"a\":" + "[".repeat(999) + "]".repeat(999) + "}");
        store().append(deep, ExpectedVersion.noStream(), List.of(deepest));
        assertEveryReaderReturns(deep, deepest);

        StreamId longNumber = stream();
        EventData longest = EventData.of("Long", "{\"n\":" + "9".repeat(1000) + "}");
        store().append(longNumber, ExpectedVersion.noStream(), List.of(longest));
        assertThat(store().read(longNumber)).extracting(RecordedEvent::eventId).containsExactly(longest.eventId());
    }

    @Test
    @DisplayName("long metadata values and long strings within the size limit are read back by every reader")
    void longTextWithinTheSizeLimitReadsBack() {
        StreamId s = stream();
        String longText = "v".repeat(60_000);
        EventData event = new EventData(UUID.randomUUID(), "Long", 1,
                "{\"" + "n".repeat(60_000) + "\":\"" + longText + "\"}", Metadata.empty().with("note", longText));
        store().append(s, ExpectedVersion.noStream(), List.of(event));
        assertEveryReaderReturns(s, event);
        EventData next = EventData.of("After", "{}");
        store().append(s, ExpectedVersion.exactly(1), List.of(next));
        assertThat(store().read(s)).extracting(RecordedEvent::eventId).containsExactly(event.eventId(), next.eventId());
    }

    @Test
    @DisplayName("filters with names no event can have are refused instead of matching nothing or failing later")
    void filtersAreValidatedLikeNames() {
        for (String type : List.of("a\u0000b", "t" + HIGH, "", " ", "x".repeat(EventData.MAX_TYPE_LENGTH + 1))) {
            assertThatThrownBy(() -> EventFilter.types(type)).as("type filter %s", type.chars().boxed().toList())
                    .isInstanceOf(InvalidInputException.class);
        }
        assertThatThrownBy(() -> EventFilter.categories("Bad-Category")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new EventFilter(java.util.Set.of(), java.util.Set.of("ok", "n\u0000l")))
                .isInstanceOf(InvalidInputException.class);
    }
}
