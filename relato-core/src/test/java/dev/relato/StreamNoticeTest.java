package dev.relato;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Notices of removed streams as records of the log, and the filters that let them through. */
class StreamNoticeTest {
    private static final StreamId ORDER = StreamId.of("Order", "o-1");
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aNoticeRoundTripsThroughItsRecordWithTheSameIdOnEveryRead() {
        StreamNotice truncated = new StreamNotice(ORDER, StreamNotice.Kind.TRUNCATED, 5, 42, AT);
        RecordedEvent record = truncated.toRecord();

        assertThat(record.type()).isEqualTo(StreamNotice.TRUNCATED_TYPE);
        assertThat(StreamNotice.isNotice(record)).isTrue();
        assertThat(StreamNotice.from(record)).contains(truncated);
        assertThat(truncated.toRecord().eventId()).isEqualTo(record.eventId());
        assertThat(new StreamNotice(ORDER, StreamNotice.Kind.DELETED, 0, 43, AT).toRecord().eventId())
                .isNotEqualTo(record.eventId());
        assertThat(truncated.streamGone()).isFalse();
        assertThat(StreamNotice.from(RecordedEvent.of(EventData.of("Placed", "{}"), ORDER, 1, 1, AT))).isEmpty();
    }

    @Test
    void onlyATruncationNamesTheVersionKept() {
        assertThatThrownBy(() -> new StreamNotice(ORDER, StreamNotice.Kind.TRUNCATED, 1, 1, AT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamNotice(ORDER, StreamNotice.Kind.DELETED, 3, 1, AT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void filtersLetNoticesThroughOnlyWhenAskedAndByCategory() {
        RecordedEvent notice = new StreamNotice(ORDER, StreamNotice.Kind.TOMBSTONED, 0, 7, AT).toRecord();

        assertThat(EventFilter.all().matches(notice)).isFalse();
        assertThat(EventFilter.all().withStreamNotices().matches(notice)).isTrue();
        assertThat(EventFilter.types("Placed").withStreamNotices().matches(notice)).isTrue();
        assertThat(EventFilter.categories("Order").withStreamNotices().matches(notice)).isTrue();
        assertThat(EventFilter.categories("Invoice").withStreamNotices().matches(notice)).isFalse();
        assertThat(EventFilter.types("Placed").withStreamNotices().andTypes(List.of("Paid")).streamNotices())
                .isTrue();
    }

    @Test
    void theNoticeTypesAreReservedForNotices() {
        for (StreamNotice.Kind kind : StreamNotice.Kind.values()) {
            assertThatThrownBy(() -> EventData.of(kind.type(), "{}")).isInstanceOf(InvalidEventException.class)
                    .hasMessageContaining("reserved");
        }
    }
}
