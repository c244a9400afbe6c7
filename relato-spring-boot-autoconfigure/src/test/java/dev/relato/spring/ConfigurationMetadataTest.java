package dev.relato.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration metadata IDEs complete {@code relato.*} properties from: every property, described. */
class ConfigurationMetadataTest {
    @Test
    void everyRelatoPropertyIsDescribedWithItsDefault() throws Exception {
        JsonNode metadata;
        try (InputStream in = RelatoProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json").isNotNull();
            metadata = new ObjectMapper().readTree(in);
        }
        Map<String, JsonNode> properties = new HashMap<>();
        metadata.get("properties").forEach(p -> properties.put(p.get("name").asText(), p));
        assertThat(properties).containsKeys("relato.store", "relato.migrate", "relato.event-types",
                "relato.sqlite.path", "relato.postgres.schema", "relato.nats.url", "relato.projections.enabled",
                "relato.projections.shutdown-timeout");
        properties.forEach((name, property) -> {
            if (name.startsWith("relato.")) {
                assertThat(property.path("description").asText()).as(name).isNotBlank();
            }
        });
        assertThat(properties.get("relato.store").get("defaultValue").asText()).isEqualTo("sqlite");
    }
}
