package dev.relato.opentelemetry;

import dev.relato.Metadata;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Map;

/**
 * Reads and writes a W3C trace context in event metadata: {@code traceparent} as {@value #TRACEPARENT} and
 * {@code tracestate} as {@value #TRACESTATE}, beside Relato's other {@code $} entries.
 */
final class MetadataCarrier {
    static final String TRACEPARENT = "$traceparent";
    static final String TRACESTATE = "$tracestate";

    /** Collects the entries a propagator writes, under their metadata keys. */
    static final TextMapSetter<Map<String, String>> SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.put(metadataKey(key), value);
        }
    };

    /** Reads the entries a propagator asks for from event metadata. */
    static final TextMapGetter<Metadata> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata metadata) {
            return metadata.entries().keySet().stream().filter(k -> k.startsWith("$")).map(k -> k.substring(1))
                    .toList();
        }

        @Override
        public String get(Metadata metadata, String key) {
            return metadata == null ? null : metadata.entries().get("$" + key);
        }
    };

    private MetadataCarrier() {
    }

    /** The metadata key of a propagator's entry: {@code $} and its name, the W3C ones without building a string. */
    static String metadataKey(String key) {
        return switch (key) {
            case "traceparent" -> TRACEPARENT;
            case "tracestate" -> TRACESTATE;
            default -> "$" + key;
        };
    }
}
