package dev.relato.nats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relato.InvalidInputException;
import dev.relato.Metadata;
import dev.relato.command.Command;
import dev.relato.internal.JsonLimits;
import dev.relato.serialization.EventCodec;
import dev.relato.serialization.EventTypes;
import dev.relato.serialization.RegisteredType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A command as it travels over NATS: one JSON object in the request's body,
 *
 * <pre>{"id":"&lt;uuid&gt;","type":"PlaceOrder","version":1,"metadata":{"k":"v"},"command":{...}}</pre>
 *
 * where {@code type} and {@code version} are the command class's registration in {@link EventTypes} (the way events
 * are registered) and {@code command} is the record as the {@link EventCodec} writes it. Stateless and thread-safe.
 */
final class CommandRequest {
    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(JsonLimits.READ_CONSTRAINTS)
            .build();
    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private CommandRequest() {
    }

    /** The request body of {@code command}, registered as {@code type}. */
    static byte[] encode(Command<?> command, RegisteredType type, EventCodec codec) {
        String payload = codec.encode(command.body());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length() + 128);
        try (JsonGenerator out = FACTORY.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeStringField("id", command.id().toString());
            out.writeStringField("type", type.name());
            out.writeNumberField("version", type.version());
            writeMetadata(out, command.metadata());
            out.writeFieldName("command");
            out.writeRawValue(payload);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("command " + type.name() + " could not be encoded", e);
        }
        return bytes.toByteArray();
    }

    /** Writes {@code metadata} as the field {@code "metadata"}: an object of strings. */
    static void writeMetadata(JsonGenerator out, Metadata metadata) throws IOException {
        out.writeObjectFieldStart("metadata");
        for (Map.Entry<String, String> entry : metadata.entries().entrySet()) {
            out.writeStringField(entry.getKey(), entry.getValue());
        }
        out.writeEndObject();
    }

    /**
     * A request body as a JSON object, its command not yet decoded.
     *
     * @throws InvalidInputException if the body is not a JSON object
     */
    static JsonNode parse(byte[] body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new InvalidInputException("the command request is not well-formed JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException("the command request must be a JSON object with id, type, version,"
                    + " metadata and command");
        }
        return root;
    }

    /** The {@code type} of a parsed request. */
    static String typeName(JsonNode request) {
        JsonNode type = request.get("type");
        if (type == null || !type.isTextual()) {
            throw new InvalidInputException("the command request has no \"type\" string");
        }
        return type.asText();
    }

    /**
     * The command of a parsed request whose type is registered as {@code type}.
     *
     * @throws InvalidInputException if a field is missing or malformed, the version is not the registered one, or
     *                               the command does not decode as the registered class
     */
    static Command<?> command(JsonNode request, RegisteredType type, EventCodec codec) {
        JsonNode version = request.get("version");
        if (version == null || !version.canConvertToInt()) {
            throw new InvalidInputException("the command request has no \"version\" number");
        }
        if (version.asInt() != type.version()) {
            throw new InvalidInputException("command " + type.name() + " v" + version.asInt()
                    + " does not match the registered v" + type.version() + " of " + type.eventClass().getName());
        }
        JsonNode id = request.get("id");
        UUID commandId;
        try {
            commandId = UUID.fromString(id == null || !id.isTextual() ? "" : id.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("the command request has no \"id\" UUID: " + id, e);
        }
        Metadata metadata = metadata(request.get("metadata"));
        JsonNode body = request.get("command");
        if (body == null || !body.isObject()) {
            throw new InvalidInputException("the command request has no \"command\" object");
        }
        Object command;
        try {
            command = codec.fromTree(body, type.eventClass());
        } catch (RuntimeException e) {
            throw new InvalidInputException("command " + type.name() + " does not decode as "
                    + type.eventClass().getName() + ": " + e.getMessage(), e);
        }
        if (command == null) {
            throw new InvalidInputException("command " + type.name() + " decodes to nothing");
        }
        return new Command<>(commandId, command, metadata);
    }

    private static Metadata metadata(JsonNode node) {
        if (node == null || node.isNull()) {
            return Metadata.empty();
        }
        if (!node.isObject()) {
            throw new InvalidInputException("the command request's \"metadata\" must be an object of strings");
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw new InvalidInputException("metadata entry '" + field.getKey() + "' of the command request is not"
                        + " a string");
            }
            entries.put(field.getKey(), field.getValue().asText());
        }
        return new Metadata(entries);
    }
}
