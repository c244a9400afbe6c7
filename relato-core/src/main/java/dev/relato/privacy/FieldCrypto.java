package dev.relato.privacy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.EventData;
import dev.relato.InvalidEventException;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.internal.JsonLimits;
import dev.relato.internal.Trusted;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Encrypts the personal fields of a payload and decrypts them back, in the format {@link PersonalDataStore}
 * documents. Thread-safe.
 *
 * <p>Writing parses the payload into one tree, replaces each personal value by its envelope and writes the tree
 * once; the result is JSON written by Jackson, so it is not parsed again to check it. Reading copies the payload
 * token by token, materialising only nested objects, and writes each envelope's decrypted JSON text as it is: the
 * text was written by the encrypting side and is authenticated by its tag, so it is not parsed either.
 */
final class FieldCrypto {
    static final String MARK = "$pd";
    static final int FORMAT = 1;
    /** The longest ciphertext of one field read back, in base64 characters: the largest event of any store. */
    static final int MAX_CIPHERTEXT_CHARS = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(JsonLimits.READ_CONSTRAINTS).build());
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final String QUOTED_MARK = "\"" + MARK + "\"";
    /** The fields of an envelope, the format's mark first. */
    private static final List<String> ENVELOPE_FIELDS = List.of(MARK, "kid", "iv", "ct", "t");
    private static final String ERASED_TEXT = "\"" + PersonalDataStore.ERASED + "\"";

    private final DataKeys keys;
    private final Map<String, Plan> plans;

    /** A policy with its paths split once: the subject's path, and each personal field's parent path and name. */
    private record Plan(PersonalFields policy, String[] subject, List<Field> fields, boolean flat) {
        static Plan of(PersonalFields policy) {
            List<Field> fields = new ArrayList<>(policy.fields().size());
            for (String path : policy.fields()) {
                String[] parts = path.split("\\.");
                String[] parent = new String[parts.length - 1];
                System.arraycopy(parts, 0, parent, 0, parent.length);
                fields.add(new Field(path, parent, parts[parts.length - 1]));
            }
            String[] subject = policy.subjectField().split("\\.");
            boolean flat = subject.length == 1 && fields.stream().allMatch(f -> f.parent.length == 0);
            return new Plan(policy, subject, List.copyOf(fields), flat);
        }

        /** The personal field named so at the top level, or null. */
        Field topLevel(String name) {
            for (Field field : fields) {
                if (field.parent.length == 0 && field.name.equals(name)) {
                    return field;
                }
            }
            return null;
        }
    }

    private record Field(String path, String[] parent, String name) {
    }

    /** @param policies the personal fields by event type */
    FieldCrypto(DataKeys keys, Map<String, PersonalFields> policies) {
        this.keys = keys;
        Map<String, Plan> plans = new HashMap<>();
        policies.forEach((type, policy) -> plans.put(type, Plan.of(policy)));
        this.plans = Map.copyOf(plans);
    }

    /**
     * The event with its type's personal fields encrypted under the subject's key, bound to this event and stream;
     * the event itself if its type has none, or none of them is present.
     */
    EventData encrypt(EventData event, StreamId stream) {
        Plan plan = plans.get(event.type());
        if (plan == null) {
            return event;
        }
        if (plan.flat) {
            EventData streamed = encryptStreaming(event, stream, plan);
            if (streamed != null) {
                return streamed;
            }
        }
        ObjectNode root = object(event.payload(), event.type());
        JsonNode subjectNode = at(root, plan.subject, plan.subject.length);
        String subject = subjectNode != null && (subjectNode.isTextual() || subjectNode.isIntegralNumber())
                ? subjectNode.asText() : null;
        checkSubject(subject, event, plan);
        DataKeys.Key key = null;
        for (Field field : plan.fields) {
            JsonNode parent = at(root, field.parent, field.parent.length);
            JsonNode value = parent instanceof ObjectNode p ? p.get(field.name) : null;
            if (value == null || value.isNull()) {
                continue;
            }
            if (key == null) {
                key = keys.current(subject);
            }
            byte[] nonce = Aes.newNonce();
            byte[] sealed = Aes.encrypt(key.secret(), nonce, plainText(value),
                    associated(event.eventId(), stream, event.type(), field.path, key.id()));
            ObjectNode envelope = JsonNodeFactory.instance.objectNode();
            envelope.put(MARK, FORMAT);
            envelope.put("kid", key.id().toString());
            envelope.put("iv", B64.encodeToString(nonce));
            envelope.put("ct", B64.encodeToString(sealed));
            envelope.put("t", value.getNodeType().name().toLowerCase(Locale.ROOT));
            ((ObjectNode) parent).set(field.name, envelope);
        }
        if (key == null) {
            return event;
        }
        return Trusted.eventData(event.eventId(), event.type(), event.schemaVersion(), root.toString(),
                event.metadata(), event.occurredAt().orElse(null));
    }

    private static void checkSubject(String subject, EventData event, Plan plan) {
        if (subject == null || subject.isEmpty()) {
            throw new InvalidEventException("event " + event.type() + " (" + event.eventId() + "): its subject field '"
                    + plan.policy.subjectField() + "' is missing, empty or not a string or integer; personal data"
                    + " needs the subject it belongs to");
        }
        if (subject.length() > 256 || subject.startsWith("$")) {
            throw new InvalidEventException("event " + event.type() + " (" + event.eventId() + "): subject '"
                    + subject.substring(0, Math.min(40, subject.length())) + "' is longer than 256 characters or"
                    + " starts with '$'");
        }
    }

    /**
     * The event encrypted as {@link #encrypt} does, copying the payload token by token without a tree: for policies
     * whose fields are all at the top level. Null if a personal field comes before a valid subject, for the tree to
     * handle (and report).
     */
    private EventData encryptStreaming(EventData event, StreamId stream, Plan plan) {
        String payload = event.payload();
        StringWriter text = new StringWriter(payload.length() + 128);
        String subject = null;
        DataKeys.Key key = null;
        try (JsonParser parser = JSON.createParser(payload);
             JsonGenerator out = JSON.getFactory().createGenerator(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            out.writeStartObject();
            for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                JsonToken token = parser.nextToken();
                out.writeFieldName(name);
                Field field = plan.topLevel(name);
                if (field != null && token != JsonToken.VALUE_NULL) {
                    if (key == null) {
                        if (subject == null) {
                            return null;
                        }
                        checkSubject(subject, event, plan);
                        key = keys.current(subject);
                    }
                    writeEnvelope(out, key, plainText(parser, token), typeOf(token),
                            associated(event.eventId(), stream, event.type(), field.path, key.id()));
                    continue;
                }
                if (name.equals(plan.subject[0]) && subject == null
                        && (token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT)) {
                    subject = parser.getText();
                }
                copyValue(parser, out, token);
            }
            out.writeEndObject();
        } catch (JsonProcessingException e) {
            return null; // the tree reports it
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to a string does not fail
        }
        checkSubject(subject, event, plan);
        if (key == null) {
            return event;
        }
        return Trusted.eventData(event.eventId(), event.type(), event.schemaVersion(), text.toString(),
                event.metadata(), event.occurredAt().orElse(null));
    }

    private static void writeEnvelope(JsonGenerator out, DataKeys.Key key, byte[] plain, String type,
                                      byte[] associated) throws IOException {
        byte[] nonce = Aes.newNonce();
        byte[] sealed = Aes.encrypt(key.secret(), nonce, plain, associated);
        out.writeStartObject();
        out.writeNumberField(MARK, FORMAT);
        out.writeStringField("kid", key.id().toString());
        out.writeStringField("iv", B64.encodeToString(nonce));
        out.writeStringField("ct", B64.encodeToString(sealed));
        out.writeStringField("t", type);
        out.writeEndObject();
    }

    /** The JSON type of the value a token starts, as the envelope names it. */
    private static String typeOf(JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case START_ARRAY -> "array";
            default -> "object";
        };
    }

    /** The value the parser is at, as JSON text in UTF-8; the parser ends at its last token. */
    private static byte[] plainText(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> quoted(parser.getText());
            case START_OBJECT, START_ARRAY -> parser.readValueAsTree().toString().getBytes(StandardCharsets.UTF_8);
            default -> parser.getText().getBytes(StandardCharsets.UTF_8);
        };
    }

    /** Copies the value the parser is at, numbers as written (no change of precision or notation). */
    private static void copyValue(JsonParser parser, JsonGenerator out, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT, START_ARRAY -> out.copyCurrentStructure(parser);
            case VALUE_STRING -> out.writeString(parser.getTextCharacters(), parser.getTextOffset(),
                    parser.getTextLength());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.writeNumber(parser.getText());
            default -> out.copyCurrentEvent(parser);
        }
    }

    /** The value as JSON text in UTF-8; a string is quoted directly, without a generator. */
    private static byte[] plainText(JsonNode value) {
        return value.isTextual() ? quoted(value.textValue()) : value.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] quoted(String value) {
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] text = new byte[quoted.length + 2];
        text[0] = '"';
        System.arraycopy(quoted, 0, text, 1, quoted.length);
        text[text.length - 1] = '"';
        return text;
    }

    /** The record with its encrypted fields in plain text, or erased (marked in its metadata) if their key is gone. */
    RecordedEvent decrypt(RecordedEvent record) {
        String payload = record.payload();
        if (!payload.contains(QUOTED_MARK)) {
            return record;
        }
        StringWriter out = new StringWriter(payload.length());
        List<String> erased = new ArrayList<>();
        boolean found;
        try (JsonParser parser = JSON.createParser(payload);
             JsonGenerator generator = JSON.getFactory().createGenerator(out)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return record; // not an object: nothing of ours
            }
            found = copyObject(parser, generator, "", record, erased);
        } catch (JsonProcessingException e) {
            return record; // not JSON: the serializer reports it, with the record
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to a string does not fail
        }
        if (!found) {
            return record;
        }
        var metadata = record.metadata();
        if (!erased.isEmpty()) {
            metadata = metadata.with(PersonalDataStore.ERASED_FIELDS, String.join(",", erased));
        }
        return new RecordedEvent(record.eventId(), record.streamId(), record.streamVersion(), record.position(),
                record.type(), record.schemaVersion(), out.toString(), metadata, record.recordedAt(),
                record.occurredAt());
    }

    /**
     * Copies the object the parser is at the start of, field by field, opening the envelopes in it; the parser ends
     * at its end. True if there was an envelope.
     */
    private boolean copyObject(JsonParser parser, JsonGenerator out, String path, RecordedEvent record,
                               List<String> erased) throws IOException {
        out.writeStartObject();
        boolean found = false;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            out.writeFieldName(name);
            JsonToken token = parser.nextToken();
            if (token == JsonToken.START_OBJECT) {
                found |= copyNested(parser, out, path.isEmpty() ? name : path + "." + name, record, erased);
            } else {
                copyValue(parser, out, token);
            }
        }
        out.writeEndObject();
        return found;
    }

    /**
     * Copies a nested object, opening it if it is an envelope. Its fields are read as they come while they can be
     * an envelope's (in any order); an object that turns out not to be one is read into a tree and written from it.
     */
    private boolean copyNested(JsonParser parser, JsonGenerator out, String path, RecordedEvent record,
                               List<String> erased) throws IOException {
        String[] values = new String[ENVELOPE_FIELDS.size()];
        JsonToken[] tokens = new JsonToken[values.length];
        List<String> order = new ArrayList<>(values.length);
        String name = parser.nextFieldName();
        JsonToken token = null;
        for (; name != null; name = parser.nextFieldName()) {
            int slot = ENVELOPE_FIELDS.indexOf(name);
            token = parser.nextToken();
            if (slot < 0 || values[slot] != null || !token.isScalarValue()) {
                break;
            }
            values[slot] = parser.getText();
            tokens[slot] = token;
            order.add(name);
        }
        if (name == null && values[0] != null) {
            out.writeRawValue(open(values[0], values[1], values[2], values[3], values[4], path, record, erased));
            return true;
        }
        ObjectNode object = JSON.createObjectNode();
        for (String read : order) {
            int slot = ENVELOPE_FIELDS.indexOf(read);
            object.set(read, scalar(tokens[slot], values[slot]));
        }
        if (name != null) {
            object.set(name, parser.readValueAsTree());
            while ((name = parser.nextFieldName()) != null) {
                parser.nextToken();
                object.set(name, parser.readValueAsTree());
            }
        }
        return write(out, object, path, record, erased);
    }

    private static JsonNode scalar(JsonToken token, String text) throws IOException {
        return switch (token) {
            case VALUE_STRING -> JsonNodeFactory.instance.textNode(text);
            case VALUE_NULL -> JsonNodeFactory.instance.nullNode();
            default -> JSON.readTree(text); // a number or a boolean, as written
        };
    }

    /** Writes a nested value, opening it if it is an envelope and the envelopes inside it if not. */
    private boolean write(JsonGenerator out, JsonNode node, String path, RecordedEvent record, List<String> erased)
            throws IOException {
        if (!(node instanceof ObjectNode object)) {
            JSON.writeTree(out, node);
            return false;
        }
        if (object.has(MARK)) {
            out.writeRawValue(open(text(object, MARK), text(object, "kid"), text(object, "iv"), text(object, "ct"),
                    text(object, "t"), path, record, erased));
            return true;
        }
        out.writeStartObject();
        boolean found = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            out.writeFieldName(field.getKey());
            found |= write(out, field.getValue(), path + "." + field.getKey(), record, erased);
        }
        out.writeEndObject();
        return found;
    }

    private static String text(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || !value.isValueNode() ? null : value.asText();
    }

    /**
     * The JSON text of an envelope's value, or of its erased form if its key is gone.
     *
     * @param mark the envelope's format, and its other fields as text; null where absent or not scalar
     */
    private String open(String mark, String kidText, String iv, String ct, String type, String path,
                        RecordedEvent record, List<String> erased) {
        UUID kid;
        byte[] nonce;
        byte[] sealed;
        try {
            if (!String.valueOf(FORMAT).equals(mark)) {
                throw new IllegalArgumentException("format " + mark + " is not " + FORMAT);
            }
            if (kidText == null || iv == null || ct == null) {
                throw new IllegalArgumentException("no " + (kidText == null ? "kid" : iv == null ? "iv" : "ct"));
            }
            kid = UUID.fromString(kidText);
            nonce = B64D.decode(iv);
            if (ct.length() > MAX_CIPHERTEXT_CHARS) {
                throw new IllegalArgumentException("ciphertext of " + ct.length() + " characters");
            }
            sealed = B64D.decode(ct);
            if (nonce.length != Aes.NONCE_BYTES || sealed.length < Aes.TAG_BITS / 8) {
                throw new IllegalArgumentException("nonce of " + nonce.length + " bytes or ciphertext of "
                        + sealed.length + " bytes");
            }
        } catch (IllegalArgumentException e) {
            throw failure(record, path, "is not a well-formed personal data envelope (" + e.getMessage() + ")");
        }
        Optional<DataKeys.Key> key = keys.find(kid);
        if (key.isEmpty()) {
            erased.add(path);
            return "string".equals(type) ? ERASED_TEXT : "null";
        }
        byte[] plain = Aes.decrypt(key.get().secret(), nonce, sealed,
                associated(record.eventId(), record.streamId(), record.type(), path, kid));
        if (plain == null) {
            throw failure(record, path, "does not decrypt: the ciphertext was altered, or copied from another event"
                    + " or field");
        }
        return new String(plain, StandardCharsets.UTF_8);
    }

    private static PersonalDataException failure(RecordedEvent record, String path, String what) {
        return new PersonalDataException("event " + record.eventId() + " (" + record.type() + ") at version "
                + record.streamVersion() + " of stream '" + record.streamId() + "': personal field '" + path + "' "
                + what);
    }

    /** A key id in an envelope, in the payload's JSON text however the store spaced it. */
    private static final Pattern KEY_ID = Pattern.compile("\"kid\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");

    /** The ids of the keys the envelopes in a stored payload name (a string value cannot hold an unescaped quote). */
    static Set<UUID> keyIdsIn(String payload) {
        Set<UUID> ids = new LinkedHashSet<>();
        Matcher m = KEY_ID.matcher(payload);
        while (m.find()) {
            try {
                ids.add(UUID.fromString(m.group(1)));
            } catch (IllegalArgumentException e) {
                // not a key id: no envelope names it
            }
        }
        return ids;
    }

    /** The associated data that binds a ciphertext to its event, stream, type, field and key. */
    static byte[] associated(UUID eventId, StreamId stream, String type, String path, UUID keyId) {
        return ("relato-pd-v1\n" + eventId + "\n" + stream.category() + "\n" + stream.id() + "\n" + type + "\n" + path
                + "\n" + keyId).getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode object(String payload, String type) {
        try {
            JsonNode node = JSON.readTree(payload);
            if (node instanceof ObjectNode o) {
                return o;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new InvalidEventException("event " + type + ": a payload with personal data must be a JSON object");
    }

    /** The node at the first {@code length} parts of a path, or null. */
    private static JsonNode at(JsonNode root, String[] parts, int length) {
        JsonNode node = root;
        for (int i = 0; i < length && node != null; i++) {
            node = node.get(parts[i]);
        }
        return node;
    }
}
