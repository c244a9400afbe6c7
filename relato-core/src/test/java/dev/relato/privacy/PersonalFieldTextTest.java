package dev.relato.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.memory.InMemoryEventStore;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Personal fields of every JSON type and in every layout: what is encrypted reads back as the same JSON, whether
 * the payload is walked as text or parsed, and whatever layout the store keeps it in.
 */
class PersonalFieldTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final InMemoryEventStore raw = InMemoryEventStore.create();
    private final PersonalDataStore store = PersonalDataStore.builder(raw).keyStore(new InMemoryDataKeyStore())
            .keyEncryptionKey(KeyEncryptionKey.of(new byte[32], "test key"))
            .policy("Profile", PersonalFields.of("id", "name", "age", "vip", "tags", "address", "nothing"))
            .envelopeFormat(format()).build();

    /** The envelope format the store writes. */
    int format() {
        return FieldCrypto.COMPACT;
    }

    /** The JSON type an envelope names, in either format. */
    private static String typeIn(JsonNode envelope) {
        JsonNode mark = envelope.get("$pd");
        if (mark.isTextual()) {
            int code = Base64.getUrlDecoder().decode(mark.textValue().substring(0, 4))[0] & 0x0f;
            return List.of("string", "number", "boolean", "object", "array").get(code);
        }
        return envelope.get("t").asText();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private RecordedEvent roundTrip(StreamId stream, String payload) throws Exception {
        store.append(stream, ExpectedVersion.noStream(), List.of(EventData.of("Profile", payload)));
        RecordedEvent read = store.read(stream).get(0);
        assertThat(JSON.readTree(read.payload())).isEqualTo(JSON.readTree(payload));
        return read;
    }

    @Test
    void valuesOfEveryJsonTypeReadBackAsTheSameJson() throws Exception {
        StreamId stream = StreamId.of("profile", "1");
        roundTrip(stream, "{\"id\":\"p-1\", \"name\" : \"Zo\u00eb \\\"Z\\\" \\\\ \\u00e9 \uD83D\uDE00\","
                + "\"age\":-12.5e3,\"vip\":true,\"tags\":[\"a\",{\"b\":1}],"
                + "\"address\":{\"street\":\"Main 1\",\"n\":[1,2]},\"nothing\":null,\"plain\":\"visible\"}");
        String stored = raw.read(stream).get(0).payload();
        assertThat(stored).doesNotContain("Zo\u00eb").doesNotContain("Main 1").doesNotContain("12.5e3")
                .contains("\"nothing\":null").contains("\"plain\":\"visible\"").contains("\"id\":\"p-1\"");
        assertThat(typeIn(JSON.readTree(stored).get("tags"))).isEqualTo("array");
        assertThat(typeIn(JSON.readTree(stored).get("age"))).isEqualTo("number");
        assertThat(typeIn(JSON.readTree(stored).get("vip"))).isEqualTo("boolean");
        assertThat(typeIn(JSON.readTree(stored).get("address"))).isEqualTo("object");
    }

    @Test
    void theSubjectMayFollowThePersonalFieldsAndBeAnInteger() throws Exception {
        roundTrip(StreamId.of("profile", "2"), "{\"name\":\"Late Subject\",\"id\":42}");
        assertThat(raw.read(StreamId.of("profile", "2")).get(0).payload()).doesNotContain("Late Subject");
    }

    @Test
    void anEscapedMemberNameIsStillRecognisedAsPersonal() throws Exception {
        StreamId stream = StreamId.of("profile", "3");
        roundTrip(stream, "{\"id\":\"p-3\",\"na\\u006de\":\"Secret Name\"}");
        assertThat(raw.read(stream).get(0).payload()).doesNotContain("Secret Name");
    }

    @Test
    void aPayloadKeptInAnotherLayoutReads() throws Exception {
        // PostgreSQL's jsonb, for one, adds spaces and orders members by length: the envelopes read all the same.
        StreamId stream = StreamId.of("profile", "4");
        String payload = "{\"id\":\"p-4\",\"name\":\"Ann Example\",\"address\":{\"street\":\"Main 1\"},\"vip\":false}";
        RecordedEvent first = roundTrip(stream, payload);
        ObjectNode tree = (ObjectNode) JSON.readTree(raw.read(stream).get(0).payload());
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().has("$pd") && format() == FieldCrypto.FORMAT) {
                ObjectNode reordered = JSON.createObjectNode();
                for (String name : List.of("t", "ct", "iv", "$pd", "kid")) {
                    reordered.set(name, field.getValue().get(name));
                }
                field.setValue(reordered);
            }
        }
        String relaid = JSON.writer(new DefaultPrettyPrinter()).writeValueAsString(tree);
        assertThat(relaid).contains("\n")
                .contains(format() == FieldCrypto.FORMAT ? "\"t\" : \"string\"" : "\"$pd\" : \"");
        assertThat(JSON.readTree(reread(stream, first.eventId(), relaid).payload())).isEqualTo(JSON.readTree(payload));
    }

    @Test
    void anEightByteValueTakesAnEnvelopeOf81CharactersCompactAnd131InTheFirstFormat() throws Exception {
        String payload = "{\"id\":\"p-7\",\"name\":\"Ann Ex\"}"; // the value's JSON text is 8 bytes
        roundTrip(StreamId.of("profile", "7"), payload);
        int envelope = raw.read(StreamId.of("profile", "7")).get(0).payload().length() - payload.length() + 8;
        assertThat(envelope).isEqualTo(format() == FieldCrypto.COMPACT ? 81 : 131);
    }

    @Test
    void anEnvelopeWithAnExtraMemberIsMalformedCompactAndOpenedByTheParserInTheFirstFormat() throws Exception {
        StreamId stream = StreamId.of("profile", "5");
        RecordedEvent first = roundTrip(stream, "{\"id\":\"p-5\",\"name\":\"Ann Example\",\"age\":40}");
        String payload = raw.read(stream).get(0).payload();
        if (format() == FieldCrypto.COMPACT) { // a compact envelope has one member
            int end = payload.indexOf("\"}"); // the end of the first envelope, the name's
            String extra = payload.substring(0, end) + "\",\"note\":\"x\"}" + payload.substring(end + 2);
            assertThatThrownBy(() -> reread(stream, first.eventId(), extra))
                    .isInstanceOf(PersonalDataException.class)
                    .hasMessageContaining("'name' is not a well-formed personal data envelope");
            return;
        }
        String extra = payload.replace("\"$pd\":1", "\"$pd\":1,\"note\":\"x\"");
        assertThat(reread(stream, first.eventId(), extra).payload()).contains("Ann Example").contains("40");
        store.forget("p-5");
        RecordedEvent erased = store.read(stream).get(0);
        assertThat(erased.payload()).contains("\"name\":\"[erased]\"").contains("\"age\":null");
        assertThat(PersonalDataStore.erasedFields(erased)).containsExactly("name", "age");
    }

    /** The stream holding only {@code payload}, stored raw as the event {@code id}, read through the store. */
    private RecordedEvent reread(StreamId stream, UUID id, String payload) {
        raw.deleteStream(stream, ExpectedVersion.any());
        raw.append(stream, ExpectedVersion.noStream(), List.of(new EventData(id, "Profile", 1, payload,
                Metadata.empty())));
        return store.read(stream).get(0);
    }
}
