package dev.relato.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JacksonEventCodecTest {
    private final JacksonEventCodec codec = new JacksonEventCodec();

    record Line(String sku, int quantity, BigDecimal price) {
    }

    record Invoice(String id, Instant issuedAt, LocalDate dueOn, Duration terms, BigDecimal total, List<Line> lines,
                   List<List<String>> tags, Map<String, Integer> counts) {
    }

    record Small(String id) {
    }

    private static Invoice invoice() {
        return new Invoice("inv-1", Instant.parse("2024-05-01T10:15:30.123456Z"), LocalDate.of(2024, 6, 1),
                Duration.ofDays(30), new BigDecimal("1234.50"),
                List.of(new Line("apple", 3, new BigDecimal("0.10")), new Line("pear", 1, new BigDecimal("12")),
                        new Line("fig", 2, new BigDecimal("1E+3"))),
                List.of(List.of("a", "b"), List.of()), Map.of("x", 1));
    }

    @Test
    void recordsWithTimeDecimalsAndNestedListsRoundTrip() {
        String json = codec.encode(invoice());

        assertThat(codec.decode(json, Invoice.class)).isEqualTo(invoice());
    }

    @Test
    void roundTripsThroughATreeKeepDecimalScale() {
        JsonNode tree = codec.readTree(codec.encode(invoice()));

        assertThat(codec.fromTree(tree, Invoice.class)).isEqualTo(invoice());
        assertThat(tree.get("total").decimalValue()).isEqualTo(new BigDecimal("1234.50"));
    }

    @Test
    void datesAreWrittenAsIsoStrings() {
        JsonNode tree = codec.readTree(codec.encode(invoice()));

        assertThat(tree.get("issuedAt").asText()).isEqualTo("2024-05-01T10:15:30.123456Z");
        assertThat(tree.get("dueOn").asText()).isEqualTo("2024-06-01");
        assertThat(tree.get("terms").asText()).isEqualTo("PT720H");
    }

    @Test
    void unknownPropertiesAreIgnored() {
        assertThat(codec.decode("{\"id\":\"s-1\",\"addedLater\":{\"x\":1}}", Small.class)).isEqualTo(new Small("s-1"));
    }

    @Test
    void unreadableInputFailsWithIllegalArgumentNamingTheClass() {
        assertThatThrownBy(() -> codec.decode("{\"id\":", Small.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Small.class.getName());
        assertThatThrownBy(() -> codec.decode("{\"issuedAt\":\"not a time\"}", Invoice.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Invoice.class.getName());
        assertThatThrownBy(() -> codec.encode(new Object()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
    }

    @Test
    void aUserMapperIsUsedAsConfigured() {
        ObjectMapper mapper = JacksonEventCodec.defaultMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        JacksonEventCodec snake = new JacksonEventCodec(mapper);
        record Named(String firstName) {
        }

        assertThat(snake.encode(new Named("Ada"))).isEqualTo("{\"first_name\":\"Ada\"}");
        assertThat(snake.decode("{\"first_name\":\"Ada\"}", Named.class)).isEqualTo(new Named("Ada"));
    }
}
