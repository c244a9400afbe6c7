package dev.relato.aggregate;

import com.fasterxml.jackson.databind.JsonMappingException;
import dev.relato.serialization.EventCodec;
import java.util.stream.Collectors;

/**
 * The check a repository builder makes before it takes snapshots: a sample state (a decider's initial state, a
 * freshly made root) must be written by the codec, read back as the snapshot class, and written again the same.
 * A state that fails is refused when the repository is built, with a message naming the field and the fix,
 * instead of failing at every snapshot later.
 */
final class SnapshotCodecCheck {
    private SnapshotCodecCheck() {
    }

    /**
     * @throws IllegalStateException naming the class, the field and the fix, if the sample does not round-trip
     */
    static <S> void check(EventCodec codec, Class<? extends S> stateClass, S sample) {
        String written;
        try {
            written = codec.encode(sample);
        } catch (RuntimeException e) {
            throw unusable("write", stateClass, e);
        }
        String again;
        try {
            again = codec.encode(codec.decode(written, stateClass));
        } catch (RuntimeException e) {
            throw unusable("read back", stateClass, e);
        }
        if (!codec.readTree(written).equals(codec.readTree(again))) {
            throw new IllegalStateException("snapshots of " + stateClass.getName() + " do not read back as written: "
                    + written + " became " + again + ". Make every field readable and writable by the codec, or take "
                    + "no snapshots of this state");
        }
    }

    private static IllegalStateException unusable(String what, Class<?> stateClass, RuntimeException e) {
        String field = field(e);
        String problem = e.getMessage();
        String fix = String.valueOf(problem).contains("jdk8") || String.valueOf(problem).contains("Optional")
                ? "Optional fields need the module jackson-datatype-jdk8 registered on the codec's ObjectMapper "
                + "(new JacksonEventCodec(mapper), starting from JacksonEventCodec.defaultMapper()), or a nullable "
                + "field instead"
                : "make the field readable and writable by the codec (a record, or a no-argument constructor or "
                + "@JsonCreator, with visible fields or accessors), or register the Jackson module its type needs";
        return new IllegalStateException("the snapshot codec cannot " + what + " " + stateClass.getName()
                + (field.isEmpty() ? "" : ", field '" + field + "'") + ": " + problem + ". To take snapshots, " + fix
                + "; or take no snapshots of this state", e);
    }

    /** The path of the field Jackson failed on, such as {@code lines[0].price}; empty if unknown. */
    private static String field(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
                return mapping.getPath().stream()
                        .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                        .collect(Collectors.joining()).replaceFirst("^\\.", "");
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return "";
    }
}
