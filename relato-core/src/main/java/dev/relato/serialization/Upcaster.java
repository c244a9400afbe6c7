package dev.relato.serialization;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relato.EventData;
import dev.relato.InvalidEventException;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One step of schema evolution, applied on read: turns the JSON tree of an event stored as
 * ({@link #type()}, {@link #fromVersion()}) into the tree of ({@link #toType()}, {@link #toVersion()}).
 * {@link EventSerializer} chains steps (v1 → v2 → v3 …) until the event reaches the version registered in
 * {@link EventTypes}; stored events are never rewritten.
 *
 * <pre>{@code
 * // v1 had "amount" in cents; v2 has a decimal "total"
 * Upcaster.of("OrderPlaced", 1, tree -> {
 *     ObjectNode o = (ObjectNode) tree;
 *     o.put("total", new BigDecimal(o.remove("amount").asLong()).movePointLeft(2));
 *     return o;
 * });
 * }</pre>
 *
 * <p>The transform receives a tree parsed for this read alone: it may change it in place and return it,
 * or return a new one. It must be a pure function of the tree and thread-safe, since reads run
 * concurrently. An exception it throws makes the read fail with {@link dev.relato.EventDecodingException}.
 * Immutable and thread-safe if the transform is.
 */
public final class Upcaster {
    private final String type;
    private final int fromVersion;
    private final String toType;
    private final int toVersion;
    private final UnaryOperator<JsonNode> transform;

    private Upcaster(String type, int fromVersion, String toType, int toVersion, UnaryOperator<JsonNode> transform) {
        this.type = validName(type);
        this.toType = validName(toType);
        this.transform = Objects.requireNonNull(transform, "transform must not be null");
        if (fromVersion < 1 || toVersion < 1) {
            throw new IllegalArgumentException("schema versions start at 1; got an upcaster from v" + fromVersion
                    + " to v" + toVersion + " of '" + type + "'");
        }
        if (type.equals(toType) && toVersion <= fromVersion) {
            throw new IllegalArgumentException("an upcaster of '" + type + "' must raise its version; got v"
                    + fromVersion + " to v" + toVersion);
        }
        this.fromVersion = fromVersion;
        this.toVersion = toVersion;
    }

    /**
     * Upcasts {@code type} from {@code fromVersion} to {@code fromVersion + 1}, keeping the type name.
     *
     * @throws IllegalArgumentException if the type name or version is invalid
     */
    public static Upcaster of(String type, int fromVersion, UnaryOperator<JsonNode> transform) {
        return new Upcaster(type, fromVersion, type, fromVersion + 1, transform);
    }

    /**
     * Upcasts {@code type} at {@code fromVersion} into another type name at {@code toVersion}: for an event
     * type that was renamed (or merged into another).
     *
     * @throws IllegalArgumentException if a name or version is invalid, or the step keeps the type and does
     *                                  not raise the version
     */
    public static Upcaster renaming(String type, int fromVersion, String toType, int toVersion,
                                    UnaryOperator<JsonNode> transform) {
        return new Upcaster(type, fromVersion, toType, toVersion, transform);
    }

    /** The stored type name this step reads. */
    public String type() {
        return type;
    }

    /** The schema version this step reads. */
    public int fromVersion() {
        return fromVersion;
    }

    /** The type name this step produces. */
    public String toType() {
        return toType;
    }

    /** The schema version this step produces. */
    public int toVersion() {
        return toVersion;
    }

    /** Applies the step to a payload tree. */
    public JsonNode upcast(JsonNode payload) {
        JsonNode result = transform.apply(payload);
        if (result == null) {
            throw new IllegalStateException("upcaster " + this + " returned null");
        }
        return result;
    }

    @Override
    public String toString() {
        return type + " v" + fromVersion + " -> " + toType + " v" + toVersion;
    }

    private static String validName(String name) {
        try {
            EventData.validateType(name);
            return name;
        } catch (InvalidEventException e) {
            throw new IllegalArgumentException("invalid upcaster type: " + e.getMessage(), e);
        }
    }
}
