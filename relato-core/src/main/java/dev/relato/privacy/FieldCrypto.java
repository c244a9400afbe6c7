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
import dev.relato.PayloadReads.StoredPayload;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.internal.JsonLimits;
import dev.relato.internal.Trusted;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Both directions first walk the payload as text ({@link JsonText}): writing finds the subject and the
 * top-level personal values and puts an envelope in place of each, copying the rest of the text as it is;
 * reading finds the envelopes at any depth of nested objects and puts the authenticated JSON text of each value in
 * its place (the text was written by the encrypting side and is authenticated by its tag, so it is not parsed).
 * Payloads the walk does not handle (personal fields inside nested objects, escaped member names, envelopes of
 * another shape, text that is not well-formed) go through Jackson instead: on writing a tree with each personal
 * value replaced, written once; on reading a token-by-token copy that opens each envelope.
 */
final class FieldCrypto {
    static final String MARK = "$pd";
    /** The first format: an envelope of five members, {@value #MARK} the number 1. Read, and written on request. */
    static final int FORMAT = 1;
    /** The compact format: an envelope of one member, {@value #MARK} a string. Written by default. */
    static final int COMPACT = 2;
    private static final String FORMAT_TEXT = "" + FORMAT;
    /** The JSON types of plain values, by their code in a compact envelope's first byte. */
    private static final List<String> TYPES = List.of("string", "number", "boolean", "object", "array");
    /** The high four bits of a compact envelope's first byte; the low four are the code of its value's type. */
    private static final int COMPACT_HEADER = COMPACT << 4;
    /** Where a compact envelope's nonce starts: after its header and key id. */
    private static final int COMPACT_NONCE_AT = 1 + 16;
    /** The bytes of a compact envelope before its ciphertext: header, key id, nonce. */
    private static final int COMPACT_PREFIX = COMPACT_NONCE_AT + Aes.NONCE_BYTES;
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_D = Base64.getUrlDecoder();
    /** The longest ciphertext of one field read back, in base64 characters: the largest event of any store. */
    static final int MAX_CIPHERTEXT_CHARS = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(JsonLimits.READ_CONSTRAINTS).build());
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final String QUOTED_MARK = "\"" + MARK + "\"";
    /** The fields of an envelope, the format's mark first. */
    private static final List<String> ENVELOPE_FIELDS = List.of(MARK, "kid", "iv", "ct", "t");
    /** The first line of the associated data. */
    private static final byte[] AD_PREFIX = "relato-pd-v1\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String ERASED_TEXT = "\"" + PersonalDataStore.ERASED + "\"";

    private final DataKeys keys;
    private final Map<String, Plan> plans;
    private final int format;

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

        /** The index of the top-level personal field named by the text between {@code from} and {@code to}, or -1. */
        int topLevel(String text, int from, int to) {
            for (int i = 0; i < fields.size(); i++) {
                Field field = fields.get(i);
                if (field.parent.length == 0 && named(text, from, to, field.name)) {
                    return i;
                }
            }
            return -1;
        }
    }

    private record Field(String path, String[] parent, String name) {
    }

    /**
     * @param policies the personal fields by event type
     * @param format   the format new envelopes are written in, {@link #COMPACT} or {@link #FORMAT}; both are read
     */
    FieldCrypto(DataKeys keys, Map<String, PersonalFields> policies, int format) {
        if (format != FORMAT && format != COMPACT) {
            throw new IllegalArgumentException("no envelope format " + format);
        }
        this.keys = keys;
        this.format = format;
        Map<String, Plan> plans = new HashMap<>();
        policies.forEach((type, policy) -> plans.put(type, Plan.of(policy)));
        this.plans = Map.copyOf(plans);
    }

    /**
     * The event with its type's personal fields encrypted under the subject's key, bound to this event and stream;
     * the event itself if its type has none, or none of them is present. A subject's first key is made into
     * {@code made}, for the append to store.
     */
    EventData encrypt(EventData event, StreamId stream, DataKeys.Made made) {
        Plan plan = plans.get(event.type());
        if (plan == null) {
            return event;
        }
        if (plan.flat) {
            EventData walked = encryptText(event, stream, plan, made);
            if (walked != null) {
                return walked;
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
                key = keys.current(subject, made);
            }
            String type = value.getNodeType().name().toLowerCase(Locale.ROOT);
            ObjectNode envelope = JsonNodeFactory.instance.objectNode();
            if (format == COMPACT) {
                envelope.put(MARK, compact(key, plainText(value), TYPES.indexOf(type), event.eventId(), stream,
                        event.type(), field.path));
            } else {
                byte[] nonce = Aes.newNonce();
                byte[] sealed = Aes.encrypt(key.secret(), nonce, plainText(value),
                        associated(event.eventId(), stream, event.type(), field.path, key.id()));
                envelope.put(MARK, FORMAT);
                envelope.put("kid", key.idText());
                envelope.put("iv", B64.encodeToString(nonce));
                envelope.put("ct", B64.encodeToString(sealed));
                envelope.put("t", type);
            }
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
     * The event encrypted as {@link #encrypt} does, walking the payload as text: for policies whose fields are all
     * at the top level. Null if the walk does not handle the payload, for the tree to handle (and report).
     */
    private EventData encryptText(EventData event, StreamId stream, Plan plan, DataKeys.Made made) {
        String s = event.payload();
        int j = JsonText.skipSpace(s, 0);
        if (!JsonText.at(s, j, '{')) {
            return null;
        }
        String subject = null;
        int[] found = new int[6]; // start, end and field index of each personal value
        int count = 0;
        for (j = JsonText.skipSpace(s, j + 1); !JsonText.at(s, j, '}'); ) {
            int nameEnd = JsonText.nameEnd(s, j);
            if (nameEnd == JsonText.NO || !JsonText.plain(s, j + 1, nameEnd - 1)) {
                return null;
            }
            int v = JsonText.memberValue(s, nameEnd);
            int end = v == JsonText.NO ? JsonText.NO : JsonText.valueEnd(s, v, 1);
            if (end == JsonText.NO) {
                return null;
            }
            int field = plan.topLevel(s, j + 1, nameEnd - 1);
            if (field >= 0 && !s.startsWith("null", v)) {
                if (count * 3 == found.length) {
                    found = Arrays.copyOf(found, found.length * 2);
                }
                found[count * 3] = v;
                found[count * 3 + 1] = end;
                found[count * 3 + 2] = field;
                count++;
            } else if (subject == null && named(s, j + 1, nameEnd - 1, plan.subject[0])) {
                char c = s.charAt(v);
                if (c == '"') {
                    if (!JsonText.plain(s, v + 1, end - 1)) {
                        return null;
                    }
                    subject = s.substring(v + 1, end - 1);
                } else if ((c == '-' || (c >= '0' && c <= '9')) && JsonText.integer(s, v, end)) {
                    subject = s.substring(v, end);
                }
            }
            j = JsonText.next(s, end, '}');
            if (j == JsonText.NO) {
                return null;
            }
        }
        if (JsonText.skipSpace(s, j + 1) != s.length()) {
            return null;
        }
        checkSubject(subject, event, plan);
        if (count == 0) {
            return event;
        }
        DataKeys.Key key = keys.current(subject, made);
        StringBuilder out = new StringBuilder(s.length() + count * (format == COMPACT ? 120 : 160));
        int copied = 0;
        for (int f = 0; f < count; f++) {
            int start = found[f * 3];
            int end = found[f * 3 + 1];
            out.append(s, copied, start);
            byte[] plain = s.substring(start, end).getBytes(StandardCharsets.UTF_8);
            String path = plan.fields.get(found[f * 3 + 2]).path;
            if (format == COMPACT) {
                out.append("{\"").append(MARK).append("\":\"").append(compact(key, plain,
                        typeCode(s.charAt(start)), event.eventId(), stream, event.type(), path)).append("\"}");
            } else {
                writeEnvelope(out, key, plain, TYPES.get(typeCode(s.charAt(start))),
                        associated(event.eventId(), stream, event.type(), path, key.id()));
            }
            copied = end;
        }
        out.append(s, copied, s.length());
        return Trusted.eventData(event.eventId(), event.type(), event.schemaVersion(), out.toString(),
                event.metadata(), event.occurredAt().orElse(null));
    }

    /** Whether the text between {@code from} and {@code to} is {@code name}. */
    private static boolean named(String s, int from, int to, String name) {
        return to - from == name.length() && s.startsWith(name, from);
    }

    private static void writeEnvelope(StringBuilder out, DataKeys.Key key, byte[] plain, String type,
                                      byte[] associated) {
        byte[] nonce = Aes.newNonce();
        byte[] sealed = Aes.encrypt(key.secret(), nonce, plain, associated);
        out.append("{\"").append(MARK).append("\":").append(FORMAT).append(",\"kid\":\"").append(key.idText())
                .append("\",\"iv\":\"").append(B64.encodeToString(nonce))
                .append("\",\"ct\":\"").append(B64.encodeToString(sealed))
                .append("\",\"t\":\"").append(type).append("\"}");
    }

    /** The code of the JSON type of the value a character starts: its index in {@link #TYPES}. */
    private static int typeCode(char first) {
        return switch (first) {
            case '"' -> 0;
            case 't', 'f' -> 2;
            case '{' -> 3;
            case '[' -> 4;
            default -> 1;
        };
    }

    /**
     * The value of {@value #MARK} in a compact envelope: the unpadded base64url of one byte (the format in the high
     * four bits, the code of the plain value's JSON type in the low four), the key id's 16 bytes, the 12-byte nonce,
     * and the ciphertext followed by its tag.
     */
    private static String compact(DataKeys.Key key, byte[] plain, int type, UUID eventId, StreamId stream,
                                  String eventType, String path) {
        byte header = (byte) (COMPACT_HEADER | type);
        byte[] nonce = Aes.newNonce();
        byte[] out = new byte[COMPACT_PREFIX + plain.length + Aes.TAG_BITS / 8];
        out[0] = header;
        System.arraycopy(key.idBytes(), 0, out, 1, 16);
        System.arraycopy(nonce, 0, out, COMPACT_NONCE_AT, Aes.NONCE_BYTES);
        Aes.encrypt(key.secret(), nonce, plain, compactAssociated(header, eventId, stream, eventType, path,
                key.idBytes()), out, COMPACT_PREFIX);
        return B64URL.encodeToString(out);
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
        List<String> erased = new ArrayList<>(0);
        String plain = open(payload, new Source(record.eventId(), record.streamId(), record.type(),
                record.streamVersion()), erased);
        if (plain == payload) {
            return record;
        }
        var metadata = record.metadata();
        if (!erased.isEmpty()) {
            metadata = metadata.with(PersonalDataStore.ERASED_FIELDS, String.join(",", erased));
        }
        return new RecordedEvent(record.eventId(), record.streamId(), record.streamVersion(), record.position(),
                record.type(), record.schemaVersion(), plain, metadata, record.recordedAt(), record.occurredAt());
    }

    /**
     * The stored payload of an event of {@code stream} with its encrypted fields in plain text, or erased if their
     * key is gone, as {@link #decrypt(RecordedEvent)} gives its record's payload.
     */
    StoredPayload decrypt(StreamId stream, StoredPayload stored) {
        String payload = stored.payload();
        if (!payload.contains(QUOTED_MARK)) {
            return stored;
        }
        String plain = open(payload, new Source(stored.eventId(), stream, stored.type(), stored.streamVersion()),
                new ArrayList<>(0));
        return plain == payload ? stored : new StoredPayload(stored.streamVersion(), stored.eventId(), stored.type(),
                stored.schemaVersion(), plain);
    }

    /** What the associated data of an event's fields and the messages about them name: the event and its stream. */
    private record Source(UUID eventId, StreamId streamId, String type, long streamVersion) {
    }

    /**
     * The payload with its envelopes opened, the paths of the erased fields added to {@code erased}; the payload
     * itself if it has no envelope or is not a JSON object.
     */
    private String open(String payload, Source record, List<String> erased) {
        String plain = openText(payload, record, erased);
        if (plain == null) {
            erased.clear();
            plain = openParsed(payload, record, erased);
        }
        return plain == null ? payload : plain;
    }

    /**
     * The payload with its envelopes opened, walking it as text; the payload itself if it holds none, null if the
     * walk does not handle it.
     */
    private String openText(String payload, Source record, List<String> erased) {
        int start = JsonText.skipSpace(payload, 0);
        if (!JsonText.at(payload, start, '{')) {
            return null;
        }
        Splice splice = new Splice(payload);
        int end = openObject(splice, start, "", 1, record, erased);
        if (end == JsonText.NO || JsonText.skipSpace(payload, end) != payload.length()) {
            return null;
        }
        return splice.finish();
    }

    /** A text with some of its parts replaced, built as the parts are found from its start to its end. */
    private static final class Splice {
        final String text;
        private StringBuilder out;
        private int copied;

        Splice(String text) {
            this.text = text;
        }

        void replace(int from, int to, String with) {
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, from).append(with);
            copied = to;
        }

        /** The text with its replacements; the text itself if nothing was replaced. */
        String finish() {
            return out == null ? text : out.append(text, copied, text.length()).toString();
        }
    }

    /**
     * Walks the object starting at {@code i}, opening the envelopes of its members and of its nested objects'
     * members; arrays are left as they are, as the parsed copy leaves them. The index after the object, or
     * {@link JsonText#NO} for text the walk does not handle (an object with a {@value #MARK} member that is not an
     * envelope of the shape walked here is one).
     */
    private int openObject(Splice splice, int i, String path, int depth, Source record, List<String> erased) {
        String s = splice.text;
        if (depth > JsonText.MAX_DEPTH) {
            return JsonText.NO;
        }
        for (int j = JsonText.skipSpace(s, i + 1); ; ) {
            if (JsonText.at(s, j, '}')) {
                return j + 1;
            }
            int nameEnd = JsonText.nameEnd(s, j);
            if (nameEnd == JsonText.NO || !JsonText.plain(s, j + 1, nameEnd - 1)
                    || (depth > 1 && named(s, j + 1, nameEnd - 1, MARK))) {
                return JsonText.NO;
            }
            int v = JsonText.memberValue(s, nameEnd);
            if (JsonText.at(s, v, '{')) {
                String name = s.substring(j + 1, nameEnd - 1);
                String inner = path.isEmpty() ? name : path + "." + name;
                Envelope envelope = Envelope.at(s, v);
                if (envelope != null) {
                    splice.replace(v, envelope.end, envelope.compact != null
                            ? openCompact(envelope.compact, inner, record, erased)
                            : open(FORMAT_TEXT, envelope.kid, envelope.iv, envelope.ct, envelope.type, inner, record,
                                    erased));
                    j = envelope.end;
                } else {
                    j = openObject(splice, v, inner, depth + 1, record, erased);
                }
            } else {
                j = v == JsonText.NO ? JsonText.NO : JsonText.valueEnd(s, v, depth);
            }
            j = j == JsonText.NO ? JsonText.NO : JsonText.next(s, j, '}');
            if (j == JsonText.NO) {
                return JsonText.NO;
            }
        }
    }

    /**
     * An envelope found in text: {@code kid}, {@code iv}, {@code ct} and {@code t} as they are written (t may be
     * null), or for a compact envelope its {@value #MARK} string ({@code compact}, the others null); and the index
     * after its object.
     */
    private record Envelope(String kid, String iv, String ct, String type, int end, String compact) {
        /**
         * The envelope whose object starts at {@code i}, if it has exactly the envelope's members, each once, in
         * any order: {@value #MARK} as the number {@value #FORMAT}, the others as strings without escapes, kid,
         * iv and ct present; or, compact, {@value #MARK} alone as a string without escapes. Null otherwise.
         */
        static Envelope at(String s, int i) {
            String compact = null;
            String[] values = new String[ENVELOPE_FIELDS.size()];
            int j = JsonText.skipSpace(s, i + 1);
            while (!JsonText.at(s, j, '}')) {
                int nameEnd = JsonText.nameEnd(s, j);
                int slot = nameEnd == JsonText.NO ? -1 : slot(s, j + 1, nameEnd - 1);
                if (slot < 0 || values[slot] != null) {
                    return null;
                }
                int v = JsonText.memberValue(s, nameEnd);
                if (v == JsonText.NO) {
                    return null;
                }
                int end;
                if (slot == 0 && JsonText.at(s, v, '"')) {
                    end = JsonText.stringEnd(s, v);
                    if (end == JsonText.NO || !JsonText.plain(s, v + 1, end - 1)) {
                        return null;
                    }
                    compact = s.substring(v + 1, end - 1);
                    values[0] = compact;
                } else if (slot == 0) {
                    end = JsonText.numberEnd(s, v);
                    if (end != v + 1 || s.charAt(v) != (char) ('0' + FORMAT)) {
                        return null;
                    }
                    values[0] = FORMAT_TEXT;
                } else {
                    end = JsonText.at(s, v, '"') ? JsonText.stringEnd(s, v) : JsonText.NO;
                    if (end == JsonText.NO || !JsonText.plain(s, v + 1, end - 1)) {
                        return null;
                    }
                    values[slot] = s.substring(v + 1, end - 1);
                }
                j = JsonText.next(s, end, '}');
                if (j == JsonText.NO) {
                    return null;
                }
            }
            if (compact != null) {
                boolean alone = values[1] == null && values[2] == null && values[3] == null && values[4] == null;
                return alone ? new Envelope(null, null, null, null, j + 1, compact) : null;
            }
            if (values[0] == null || values[1] == null || values[2] == null || values[3] == null) {
                return null;
            }
            return new Envelope(values[1], values[2], values[3], values[4], j + 1, null);
        }

        private static int slot(String s, int from, int to) {
            for (int k = 0; k < ENVELOPE_FIELDS.size(); k++) {
                if (named(s, from, to, ENVELOPE_FIELDS.get(k))) {
                    return k;
                }
            }
            return -1;
        }
    }

    /** The payload with its envelopes opened by a parsed copy; null if it holds none or is not a JSON object. */
    private String openParsed(String payload, Source record, List<String> erased) {
        StringWriter out = new StringWriter(payload.length());
        boolean found;
        try (JsonParser parser = JSON.createParser(payload);
             JsonGenerator generator = JSON.getFactory().createGenerator(out)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null; // not an object: nothing of ours
            }
            found = copyObject(parser, generator, "", record, erased);
        } catch (JsonProcessingException e) {
            return null; // not JSON: the serializer reports it, with the record
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to a string does not fail
        }
        return found ? out.toString() : null;
    }

    /**
     * Copies the object the parser is at the start of, field by field, opening the envelopes in it; the parser ends
     * at its end. True if there was an envelope.
     */
    private boolean copyObject(JsonParser parser, JsonGenerator out, String path, Source record,
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
    private boolean copyNested(JsonParser parser, JsonGenerator out, String path, Source record,
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
            out.writeRawValue(tokens[0] == JsonToken.VALUE_STRING
                    ? openCompact(order.size() == 1 ? values[0] : null, path, record, erased)
                    : open(values[0], values[1], values[2], values[3], values[4], path, record, erased));
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
    private boolean write(JsonGenerator out, JsonNode node, String path, Source record, List<String> erased)
            throws IOException {
        if (!(node instanceof ObjectNode object)) {
            JSON.writeTree(out, node);
            return false;
        }
        if (object.has(MARK)) {
            out.writeRawValue(object.get(MARK).isTextual()
                    ? openCompact(object.size() == 1 ? object.get(MARK).textValue() : null, path, record, erased)
                    : open(text(object, MARK), text(object, "kid"), text(object, "iv"), text(object, "ct"),
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
                        Source record, List<String> erased) {
        UUID kid;
        byte[] nonce;
        byte[] sealed;
        try {
            if (!FORMAT_TEXT.equals(mark)) {
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
        byte[] plain = Aes.decrypt(key.get().secret(), nonce, 0, sealed, 0,
                associated(record.eventId(), record.streamId(), record.type(), path, kid));
        if (plain == null) {
            throw failure(record, path, "does not decrypt: the ciphertext was altered, or copied from another event"
                    + " or field");
        }
        return new String(plain, StandardCharsets.UTF_8);
    }

    /**
     * The JSON text of a compact envelope's value, or of its erased form if its key is gone.
     *
     * @param text the envelope's {@value #MARK} string; null if the envelope has other members as well
     */
    private String openCompact(String text, String path, Source record, List<String> erased) {
        byte[] in;
        try {
            if (text == null) {
                throw new IllegalArgumentException("a compact envelope with other members");
            }
            if (text.length() > MAX_CIPHERTEXT_CHARS) {
                throw new IllegalArgumentException("ciphertext of " + text.length() + " characters");
            }
            in = B64URL_D.decode(text);
            if (in.length < COMPACT_PREFIX + Aes.TAG_BITS / 8 || (in[0] & 0xf0) != COMPACT_HEADER
                    || (in[0] & 0x0f) >= TYPES.size()) {
                throw new IllegalArgumentException(in.length + " bytes, or a first byte that is not format "
                        + COMPACT + " and a JSON type");
            }
        } catch (IllegalArgumentException e) {
            throw failure(record, path, "is not a well-formed personal data envelope (" + e.getMessage() + ")");
        }
        UUID kid = uuidAt(in, 1);
        Optional<DataKeys.Key> key = keys.find(kid);
        if (key.isEmpty()) {
            erased.add(path);
            return (in[0] & 0x0f) == 0 ? ERASED_TEXT : "null";
        }
        byte[] plain = Aes.decrypt(key.get().secret(), in, COMPACT_NONCE_AT, in, COMPACT_PREFIX,
                compactAssociated(in[0], record.eventId(), record.streamId(), record.type(), path,
                        key.get().idBytes()));
        if (plain == null) {
            throw failure(record, path, "does not decrypt: the ciphertext was altered, or copied from another event"
                    + " or field");
        }
        return new String(plain, StandardCharsets.UTF_8);
    }

    private static UUID uuidAt(byte[] bytes, int at) {
        ByteBuffer b = ByteBuffer.wrap(bytes, at, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    private static PersonalDataException failure(Source record, String path, String what) {
        return new PersonalDataException("event " + record.eventId() + " (" + record.type() + ") at version "
                + record.streamVersion() + " of stream '" + record.streamId() + "': personal field '" + path + "' "
                + what);
    }

    /**
     * A key id in an envelope, in the payload's JSON text however the store spaced it: the {@code kid} of the first
     * format (group 1), or the first 23 base64url characters of a compact envelope, its header and key id (group 2).
     */
    private static final Pattern KEY_ID = Pattern.compile(
            "\"kid\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"|\"\\$pd\"\\s*:\\s*\"([A-Za-z0-9_-]{23})");

    /** The ids of the keys the envelopes in a stored payload name (a string value cannot hold an unescaped quote). */
    static Set<UUID> keyIdsIn(String payload) {
        Set<UUID> ids = new LinkedHashSet<>();
        Matcher m = KEY_ID.matcher(payload);
        while (m.find()) {
            try {
                if (m.group(1) != null) {
                    ids.add(UUID.fromString(m.group(1)));
                } else {
                    byte[] head = B64URL_D.decode(m.group(2));
                    if ((head[0] & 0xf0) == COMPACT_HEADER) {
                        ids.add(uuidAt(head, 1));
                    }
                }
            } catch (IllegalArgumentException e) {
                // not a key id: no envelope names it
            }
        }
        return ids;
    }

    /** The associated data that binds a ciphertext to its event, stream, type, field and key. */
    static byte[] associated(UUID eventId, StreamId stream, String type, String path, UUID keyId) {
        String category = stream.category();
        String id = stream.id();
        if (!ascii(category) || !ascii(id) || !ascii(type) || !ascii(path)) {
            return ("relato-pd-v1\n" + eventId + "\n" + category + "\n" + id + "\n" + type + "\n" + path
                    + "\n" + keyId).getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = new byte[AD_PREFIX.length + 36 + 1 + category.length() + 1 + id.length() + 1 + type.length()
                + 1 + path.length() + 1 + 36];
        System.arraycopy(AD_PREFIX, 0, out, 0, AD_PREFIX.length);
        int at = uuid(out, AD_PREFIX.length, eventId);
        for (String line : new String[] {category, id, type, path}) {
            out[at++] = '\n';
            for (int i = 0, n = line.length(); i < n; i++) {
                out[at++] = (byte) line.charAt(i);
            }
        }
        out[at++] = '\n';
        uuid(out, at, keyId);
        return out;
    }

    /**
     * The associated data of a compact envelope: its first byte, the event id's and key id's 16 bytes, then the
     * stream category, stream id, event type and field path, each as its UTF-8 length (an unsigned LEB128 varint)
     * and its UTF-8 bytes.
     */
    static byte[] compactAssociated(byte header, UUID eventId, StreamId stream, String type, String path,
                                    byte[] keyId) {
        String category = stream.category();
        String id = stream.id();
        if (!ascii(category) || !ascii(id) || !ascii(type) || !ascii(path)) {
            return compactAssociated(header, eventId, keyId, category.getBytes(StandardCharsets.UTF_8),
                    id.getBytes(StandardCharsets.UTF_8), type.getBytes(StandardCharsets.UTF_8),
                    path.getBytes(StandardCharsets.UTF_8));
        }
        int length = 33;
        for (String line : new String[] {category, id, type, path}) {
            length += varintLength(line.length()) + line.length();
        }
        byte[] out = new byte[length];
        int at = compactStart(out, header, eventId, keyId);
        for (String line : new String[] {category, id, type, path}) {
            at = varint(out, at, line.length());
            for (int i = 0, n = line.length(); i < n; i++) {
                out[at++] = (byte) line.charAt(i);
            }
        }
        return out;
    }

    private static byte[] compactAssociated(byte header, UUID eventId, byte[] keyId, byte[]... lines) {
        int length = 33;
        for (byte[] line : lines) {
            length += varintLength(line.length) + line.length;
        }
        byte[] out = new byte[length];
        int at = compactStart(out, header, eventId, keyId);
        for (byte[] line : lines) {
            at = varint(out, at, line.length);
            System.arraycopy(line, 0, out, at, line.length);
            at += line.length;
        }
        return out;
    }

    /** Writes the header, event id and key id at the start of compact associated data; the index after them. */
    private static int compactStart(byte[] out, byte header, UUID eventId, byte[] keyId) {
        out[0] = header;
        ByteBuffer.wrap(out, 1, 16).putLong(eventId.getMostSignificantBits())
                .putLong(eventId.getLeastSignificantBits());
        System.arraycopy(keyId, 0, out, 17, 16);
        return 33;
    }

    private static int varintLength(int value) {
        int n = 1;
        while ((value >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static int varint(byte[] out, int at, int value) {
        while ((value & ~0x7f) != 0) {
            out[at++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out[at++] = (byte) value;
        return at;
    }

    private static boolean ascii(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Writes a UUID as {@link UUID#toString()} does; the index after it. */
    private static int uuid(byte[] out, int at, UUID id) {
        at = hex(out, at, id.getMostSignificantBits() >>> 32, 8);
        out[at++] = '-';
        at = hex(out, at, id.getMostSignificantBits() >>> 16, 4);
        out[at++] = '-';
        at = hex(out, at, id.getMostSignificantBits(), 4);
        out[at++] = '-';
        at = hex(out, at, id.getLeastSignificantBits() >>> 48, 4);
        out[at++] = '-';
        return hex(out, at, id.getLeastSignificantBits(), 12);
    }

    private static int hex(byte[] out, int at, long bits, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[at + i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
        return at + digits;
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
