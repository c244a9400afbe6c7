package dev.relato.serialization;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.relato.internal.JsonLimits;
import java.util.Objects;

/**
 * The default {@link EventCodec}, on a Jackson {@link ObjectMapper}. Thread-safe once constructed.
 *
 * <p>The mapper of {@link #JacksonEventCodec()} ({@link #defaultMapper()}) reads and writes records through
 * their canonical constructors and accessors, and {@code java.time} values as ISO-8601 strings
 * ({@code "2024-05-01T10:15:30Z"}). It <b>tolerates unknown properties</b>: a payload field the class does
 * not have is ignored, so that an older reader (a running node during a rolling deployment, or a
 * projection replaying events written by newer code) can still read events to which fields were added.
 * Removing or renaming fields needs an {@link Upcaster}. Decimal numbers are read as {@link java.math.BigDecimal}
 * in trees, keeping their exact value and scale through upcasting. It reads with the same limits every store
 * enforces when it accepts an event (nesting depth 1000, numbers of at most 1000 characters, strings bounded
 * only by the event size), so whatever a store accepted decodes.
 *
 * <p>{@link #JacksonEventCodec(ObjectMapper)} uses the caller's mapper as it is configured; start from
 * {@link #defaultMapper()} to keep the behaviour above.
 *
 * <p>Failures: every method throws {@link IllegalArgumentException}, naming the class and Jackson's
 * description of the problem, with Jackson's exception as the cause.
 */
public final class JacksonEventCodec implements EventCodec {
    private final ObjectMapper mapper;

    /** A codec on {@link #defaultMapper()}. */
    public JacksonEventCodec() {
        this(defaultMapper());
    }

    /**
     * A codec on the caller's mapper, used as configured. The mapper must not be reconfigured afterwards.
     */
    public JacksonEventCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "object mapper must not be null");
    }

    /**
     * A new mapper configured as this class describes: java.time support with ISO strings, unknown
     * properties ignored, exact decimals in trees. Each call returns a fresh instance the caller may
     * configure further before handing it to {@link #JacksonEventCodec(ObjectMapper)}.
     */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder(JsonFactory.builder().streamReadConstraints(JsonLimits.READ_CONSTRAINTS).build())
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }

    @Override
    public String encode(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + describe(value) + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public <T> T decode(String json, Class<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot read JSON as " + type.getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot read JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public <T> T fromTree(JsonNode tree, Class<T> type) {
        try {
            return mapper.treeToValue(tree, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("cannot read JSON tree as " + type.getName() + ": " + message, e);
        }
    }

    private static String describe(Object value) {
        return value == null ? "null" : "a " + value.getClass().getName();
    }
}
