package dev.relato.nats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.relato.AppendResult;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.aggregate.AggregateNotFoundException;
import dev.relato.command.Receipt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The answer to a command over NATS: one JSON object in the reply's body, whose {@code status} says which of
 *
 * <pre>
 * {"status":"ok","commandId":"&lt;uuid&gt;","repeated":false,"appends":[{"retried":false,"events":[{...}]}]}
 * {"status":"rejected","type":"com.example.OutOfStock","message":"...","stream":"Order-o-1"}
 * {"status":"unknown","type":"PlaceOrder","message":"..."}
 * {"status":"invalid","message":"..."}
 * </pre>
 *
 * it is: the receipt, with every recorded event (id, stream, version, position, type, schema version, payload,
 * metadata, times); the exception the handler threw ({@code stream} only for an
 * {@link AggregateNotFoundException}); a command type the listener does not handle; or a request it could not read.
 * Stateless and thread-safe.
 */
final class CommandReply {
    static final String OK = "ok";
    static final String REJECTED = "rejected";
    static final String UNKNOWN = "unknown";
    static final String INVALID = "invalid";

    private CommandReply() {
    }

    /** An answer as the sender reads it: a receipt, or why there is none. */
    sealed interface Answer {
    }

    /** The command was handled. */
    record Handled(Receipt receipt) implements Answer {
    }

    /** The command was not handled: {@code status} says why, {@code type} names the exception or command type. */
    record Refused(String status, String type, String message, Optional<StreamId> stream) implements Answer {
    }

    static byte[] handled(Receipt receipt) {
        return write(out -> {
            out.writeStringField("status", OK);
            out.writeStringField("commandId", receipt.commandId().toString());
            out.writeBooleanField("repeated", receipt.repeated());
            out.writeArrayFieldStart("appends");
            for (AppendResult append : receipt.appends()) {
                out.writeStartObject();
                out.writeBooleanField("retried", append.retried());
                out.writeArrayFieldStart("events");
                for (RecordedEvent event : append.events()) {
                    writeEvent(out, event);
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            out.writeEndArray();
        });
    }

    private static void writeEvent(JsonGenerator out, RecordedEvent event) throws IOException {
        out.writeStartObject();
        out.writeStringField("eventId", event.eventId().toString());
        out.writeStringField("category", event.streamId().category());
        out.writeStringField("id", event.streamId().id());
        out.writeNumberField("version", event.streamVersion());
        out.writeNumberField("position", event.position());
        out.writeStringField("type", event.type());
        out.writeNumberField("schemaVersion", event.schemaVersion());
        out.writeStringField("payload", event.payload());
        CommandRequest.writeMetadata(out, event.metadata());
        out.writeStringField("recordedAt", event.recordedAt().toString());
        out.writeStringField("occurredAt", event.occurredAt().toString());
        out.writeEndObject();
    }

    /** The answer for an exception the bus threw while handling the command. */
    static byte[] rejected(RuntimeException rejection) {
        return write(out -> {
            out.writeStringField("status", REJECTED);
            out.writeStringField("type", rejection.getClass().getName());
            out.writeStringField("message", String.valueOf(rejection.getMessage()));
            if (rejection instanceof AggregateNotFoundException notFound) {
                out.writeStringField("stream", notFound.stream().toString());
            }
        });
    }

    /** The answer for a command type the listener's registry or bus does not know. */
    static byte[] unknown(String typeName, String message) {
        return write(out -> {
            out.writeStringField("status", UNKNOWN);
            out.writeStringField("type", typeName);
            out.writeStringField("message", message);
        });
    }

    /** The answer for a request the listener could not read. */
    static byte[] invalid(String message) {
        return write(out -> {
            out.writeStringField("status", INVALID);
            out.writeStringField("message", message);
        });
    }

    /** Writes the fields of one JSON object. */
    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator out) throws IOException;
    }

    private static byte[] write(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator out = CommandRequest.FACTORY.createGenerator(bytes)) {
            out.writeStartObject();
            fields.write(out);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a command reply could not be encoded", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads an answer.
     *
     * @throws IllegalArgumentException if the body is not an answer of this format
     */
    static Answer read(byte[] body) {
        JsonNode root;
        try {
            root = CommandRequest.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the reply is not well-formed JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the reply is not a JSON object");
        }
        String status = text(root, "status");
        if (status.equals(OK)) {
            List<AppendResult> appends = new ArrayList<>();
            for (JsonNode append : array(root, "appends")) {
                List<RecordedEvent> events = new ArrayList<>();
                for (JsonNode event : array(append, "events")) {
                    events.add(readEvent(event));
                }
                appends.add(AppendResult.of(events, append.path("retried").asBoolean()));
            }
            return new Handled(new Receipt(UUID.fromString(text(root, "commandId")), appends,
                    root.path("repeated").asBoolean()));
        }
        String type = root.path("type").asText("");
        String message = root.path("message").asText("");
        Optional<StreamId> stream = root.hasNonNull("stream")
                ? Optional.of(StreamId.parse(root.get("stream").asText())) : Optional.empty();
        return new Refused(status, type, message, stream);
    }

    private static RecordedEvent readEvent(JsonNode event) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = event.path("metadata").fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            metadata.put(field.getKey(), field.getValue().asText());
        }
        return new RecordedEvent(UUID.fromString(text(event, "eventId")),
                StreamId.of(text(event, "category"), text(event, "id")), number(event, "version"),
                number(event, "position"), text(event, "type"), (int) number(event, "schemaVersion"),
                text(event, "payload"), new Metadata(metadata), Instant.parse(text(event, "recordedAt")),
                Instant.parse(text(event, "occurredAt")));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("the reply has no \"" + field + "\" string");
        }
        return value.asText();
    }

    private static long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new IllegalArgumentException("the reply has no \"" + field + "\" number");
        }
        return value.asLong();
    }

    private static JsonNode array(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException("the reply has no \"" + field + "\" array");
        }
        return value;
    }
}
