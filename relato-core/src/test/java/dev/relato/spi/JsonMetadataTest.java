package dev.relato.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
