package dev.relato.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.InvalidInputException;
import dev.relato.Metadata;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metadata to JSON and back: as written, as PostgreSQL's jsonb gives it back, with escapes; an array or a repeated key is refused. */
class JsonMetadataTest {

    @Test
    void metadataReadsBackAsWritten() {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(Metadata.CAUSATION_ID, "c-1");
        entries.put("quote \" and backslash \\", "line\nbreak, tab\t, é, 😀");
        entries.put("empty", "");
        Metadata metadata = new Metadata(entries);

        String json = Json.writeMetadata(metadata);

        assertThat(json).startsWith("{\"$causationId\":\"c-1\",");
        assertThat(Json.readMetadata(json)).isEqualTo(metadata);
        assertThat(Json.readMetadata(json).entries()).containsExactlyEntriesOf(entries);
    }

    @Test
    void metadataOfOneEntryWritesWhatMetadataMadeFromItsMapWrites() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Metadata made = Json.metadataOf("$traceparent", traceparent);

        Metadata checked = new Metadata(Map.of("$traceparent", traceparent));
        assertThat(made).isEqualTo(checked);
        assertThat(Json.writeMetadata(made)).isEqualTo(Json.writeMetadata(checked))
                .isEqualTo("{\"$traceparent\":\"" + traceparent + "\"}");
        Metadata escaped = Json.metadataOf("quote \"", "line\nbreak");
        assertThat(Json.writeMetadata(escaped)).isEqualTo(Json.writeMetadata(new Metadata(escaped.entries())));
        assertThat(Json.readMetadata(Json.writeMetadata(escaped))).isEqualTo(escaped);
    }

    @Test
    void spacesBetweenTokensAreRead() {
        assertThat(Json.readMetadata(" { \"a\" : \"1\" ,\n\t\"b\": \"2\" } ").entries())
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(Json.readMetadata("{ }")).isEqualTo(Metadata.empty());
    }

    @Test
    void anArrayOrARepeatedKeyIsRefused() {
        assertThatThrownBy(() -> Json.readMetadata("[\"a\"]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.readMetadata("{\"a\":\"1\",\"a\":\"2\"}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRepeatedKeyIsRefusedWhereverItIsRepeated() {
        assertThatThrownBy(() -> Json.readMetadata("{\"a\":\"1\", \"b\" : \"2\",\"c\":\"3\",\"b\":\"4\"}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Json.readMetadata("{\"ab\":\"1\",\"a\":\"2\",\"b\":\"ab\"}").entries())
                .containsExactly(Map.entry("ab", "1"), Map.entry("a", "2"), Map.entry("b", "ab"));
    }

    @Test
    void storedKeysBreakingTheRulesAreRefusedAsWhenMetadataIsMade() {
        for (String json : new String[] {"{\"\":\"1\"}", "{\"  \":\"1\"}", "{\"a\u007fb\":\"1\"}",
                "{\"" + "k".repeat(Metadata.MAX_KEY_LENGTH + 1) + "\":\"1\"}"}) {
            assertThatThrownBy(() -> Json.readMetadata(json)).as(json).isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    void metadataReadIsWrittenBackAsTheSameText() {
        String stored = "{\"$causationId\": \"c-1\", \"$correlationId\": \"r-1\"}";

        Metadata read = Json.readMetadata(stored);

        assertThat(Json.writeMetadata(read)).isEqualTo(stored);
        assertThat(read.isEmpty()).isFalse();
        assertThat(read.correlationId()).contains("r-1");
        assertThat(read).isEqualTo(Metadata.empty().withCausationId("c-1").withCorrelationId("r-1"))
                .hasSameHashCodeAs(Metadata.empty().withCausationId("c-1").withCorrelationId("r-1"));
        assertThat(read.entries()).hasToString("{$causationId=c-1, $correlationId=r-1}");
    }

    @Test
    void controlCharactersAreEscapedAndReadBack() {
        Metadata metadata = Metadata.empty().with("k", "a\u0001b\u001fc\bd\fe\"");

        String json = Json.writeMetadata(metadata);

        assertThat(json).isEqualTo("{\"k\":\"a\\u0001b\\u001Fc\\bd\\fe\\\"\"}");
        assertThat(Json.readMetadata(json)).isEqualTo(metadata);
    }
}
