package dev.relato.serialization;

import dev.relato.EventData;
import dev.relato.InvalidEventException;
import java.util.Objects;

/**
 * One entry of an {@link EventTypes} registry: a Java class, the stable type name it is stored under and
 * its current schema version. Immutable and thread-safe.
 *
 * @param eventClass the concrete event class
 * @param name       the stored type name, following {@link EventData}'s type rule
 * @param version    the current schema version, 1 or more
 *
 * <p>The constructor throws {@link IllegalArgumentException} if the name or version is invalid, or the class is
 * abstract.
 */
public record RegisteredType(Class<?> eventClass, String name, int version) {
    public RegisteredType {
        Objects.requireNonNull(eventClass, "event class must not be null");
        if (eventClass.isInterface() || java.lang.reflect.Modifier.isAbstract(eventClass.getModifiers())) {
            throw new IllegalArgumentException("cannot register " + eventClass.getName()
                    + ": it is abstract; register its concrete classes (registerSealed does so for a sealed type)");
        }
        try {
            EventData.validateType(name);
        } catch (InvalidEventException e) {
            throw new IllegalArgumentException("cannot register " + eventClass.getName() + ": " + e.getMessage(), e);
        }
        if (version < 1) {
            throw new IllegalArgumentException("cannot register " + eventClass.getName() + " as '" + name
                    + "': schema versions start at 1, got " + version);
        }
    }

    @Override
    public String toString() {
        return name + " v" + version + " (" + eventClass.getName() + ")";
    }
}
