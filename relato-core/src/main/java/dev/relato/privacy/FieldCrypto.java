package dev.relato.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.EventData;
import dev.relato.InvalidEventException;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Encrypts the personal fields of a payload and decrypts them back, in the format {@link PersonalDataStore}
 * documents. Thread-safe.
 */
final class FieldCrypto {
    static final String MARK = "$pd";
    static final int FORMAT = 1;
    /** The longest ciphertext of one field read back, in base64 characters: the largest event of any store. */
    static final int MAX_CIPHERTEXT_CHARS = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final DataKeys keys;

    FieldCrypto(DataKeys keys) {
        this.keys = keys;
    }

    /** The event with the policy's fields encrypted under the subject's key, bound to this event and stream. */
    EventData encrypt(EventData event, StreamId stream, PersonalFields policy) {
        ObjectNode root = object(event.payload(), event.type());
        JsonNode subjectNode = at(root, policy.subjectField());
        if (subjectNode == null || !(subjectNode.isTextual() || subjectNode.isIntegralNumber())
                || subjectNode.asText().isEmpty()) {
            throw new InvalidEventException("event " + event.type() + " (" + event.eventId() + "): its subject field '"
                    + policy.subjectField() + "' is missing, empty or not a string or integer; personal data needs"
                    + " the subject it belongs to");
        }
        String subject = subjectNode.asText();
        if (subject.length() > 256 || subject.startsWith("$")) {
            throw new InvalidEventException("event " + event.type() + " (" + event.eventId() + "): subject '"
                    + subject.substring(0, Math.min(40, subject.length())) + "' is longer than 256 characters or"
                    + " starts with '$'");
        }
        DataKeys.Key key = null;
        for (String path : policy.fields()) {
            int dot = path.lastIndexOf('.');
            JsonNode parent = dot < 0 ? root : at(root, path.substring(0, dot));
            String name = path.substring(dot + 1);
            if (!(parent instanceof ObjectNode p) || p.get(name) == null || p.get(name).isNull()) {
                continue;
            }
            if (key == null) {
                key = keys.current(subject);
            }
            JsonNode value = p.get(name);
            byte[] plain = value.toString().getBytes(StandardCharsets.UTF_8);
            byte[] nonce = Aes.newNonce();
            byte[] sealed = Aes.encrypt(key.bytes(), nonce, plain,
                    associated(event.eventId(), stream, event.type(), path, key.id()));
            ObjectNode envelope = JsonNodeFactory.instance.objectNode();
            envelope.put(MARK, FORMAT);
            envelope.put("kid", key.id().toString());
            envelope.put("iv", B64.encodeToString(nonce));
            envelope.put("ct", B64.encodeToString(sealed));
            envelope.put("t", value.getNodeType().name().toLowerCase(Locale.ROOT));
            p.set(name, envelope);
        }
        if (key == null) {
            return event;
        }
        EventData out = new EventData(event.eventId(), event.type(), event.schemaVersion(), root.toString(),
                event.metadata());
        return event.occurredAt().map(out::withOccurredAt).orElse(out);
    }

    /** The record with its encrypted fields in plain text, or erased (marked in its metadata) if their key is gone. */
    RecordedEvent decrypt(RecordedEvent record) {
        if (!record.payload().contains("\"" + MARK + "\"")) {
            return record;
        }
        JsonNode root;
        try {
            root = JSON.readTree(record.payload());
        } catch (JsonProcessingException e) {
            return record; // not JSON: the serializer reports it, with the record
        }
        List<String> erased = new ArrayList<>();
        if (!walk(root, "", record, erased)) {
            return record;
        }
        var metadata = record.metadata();
        if (!erased.isEmpty()) {
            metadata = metadata.with(PersonalDataStore.ERASED_FIELDS, String.join(",", erased));
        }
        return new RecordedEvent(record.eventId(), record.streamId(), record.streamVersion(), record.position(),
                record.type(), record.schemaVersion(), root.toString(), metadata, record.recordedAt(),
                record.occurredAt());
    }

    /** Decrypts every envelope under {@code node}; true if there was one. */
    private boolean walk(JsonNode node, String path, RecordedEvent record, List<String> erased) {
        if (!(node instanceof ObjectNode object)) {
            return false;
        }
        boolean found = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode value = field.getValue();
            if (value instanceof ObjectNode o && o.has(MARK)) {
                field.setValue(open(o, fieldPath, record, erased));
                found = true;
            } else if (value instanceof ObjectNode) {
                found |= walk(value, fieldPath, record, erased);
            }
        }
        return found;
    }

    private JsonNode open(ObjectNode envelope, String path, RecordedEvent record, List<String> erased) {
        UUID kid;
        byte[] nonce;
        byte[] sealed;
        try {
            if (envelope.path(MARK).asInt() != FORMAT) {
                throw new IllegalArgumentException("format " + envelope.path(MARK) + " is not " + FORMAT);
            }
            kid = UUID.fromString(envelope.path("kid").asText());
            nonce = B64D.decode(envelope.path("iv").asText());
            String ct = envelope.path("ct").asText();
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
            return "string".equals(envelope.path("t").asText())
                    ? JsonNodeFactory.instance.textNode(PersonalDataStore.ERASED)
                    : JsonNodeFactory.instance.nullNode();
        }
        byte[] plain = Aes.decrypt(key.get().bytes(), nonce, sealed,
                associated(record.eventId(), record.streamId(), record.type(), path, kid));
        if (plain == null) {
            throw failure(record, path, "does not decrypt: the ciphertext was altered, or copied from another event"
                    + " or field");
        }
        try {
            return JSON.readTree(plain);
        } catch (IOException e) {
            throw failure(record, path, "decrypts to something that is not JSON");
        }
    }

    private static PersonalDataException failure(RecordedEvent record, String path, String what) {
        return new PersonalDataException("event " + record.eventId() + " (" + record.type() + ") at version "
                + record.streamVersion() + " of stream '" + record.streamId() + "': personal field '" + path + "' "
                + what);
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

    private static JsonNode at(JsonNode root, String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node;
    }
}
