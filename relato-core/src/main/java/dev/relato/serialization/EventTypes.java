package dev.relato.serialization;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The registry mapping each event class to its stable type name and current schema version, and each
 * name back to its class. Built once with {@link #builder()}, then immutable and thread-safe.
 *
 * <pre>{@code
 * EventTypes types = EventTypes.builder()
 *         .registerSealed(OrderEvent.class)          // every concrete permitted subclass
 *         .register(LegacyEvent.class, "Legacy", 3)   // explicit name and version
 *         .build();
 * }</pre>
 *
 * <p>Registration fails fast with {@link IllegalArgumentException} when a class or a name is registered
 * twice, a name breaks the type rule of {@link dev.relato.EventData}, or a class is abstract.
 */
public final class EventTypes {
    private final Map<Class<?>, RegisteredType> byClass;
    private final Map<String, RegisteredType> byName;

    private EventTypes(Map<Class<?>, RegisteredType> byClass, Map<String, RegisteredType> byName) {
        this.byClass = Collections.unmodifiableMap(new LinkedHashMap<>(byClass));
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The registration of exactly this class, if registered. */
    public Optional<RegisteredType> find(Class<?> eventClass) {
        return Optional.ofNullable(byClass.get(eventClass));
    }

    /** The registration under this stored type name, if any. */
    public Optional<RegisteredType> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The registration of exactly this class.
     *
     * @throws IllegalArgumentException if the class is not registered
     */
    public RegisteredType require(Class<?> eventClass) {
        RegisteredType type = byClass.get(eventClass);
        if (type == null) {
            throw new IllegalArgumentException("event class " + eventClass.getName() + " is not registered; add it with "
                    + "EventTypes.builder().register(" + eventClass.getSimpleName() + ".class) or registerSealed(...)");
        }
        return type;
    }

    /** Every registration, in registration order. */
    public Collection<RegisteredType> all() {
        return byName.values();
    }

    /**
     * The type names of every registered class assignable to one of {@code classes}: pass concrete event
     * classes, or a common interface (such as a sealed {@code OrderEvent}) for all its registered subclasses.
     *
     * @throws IllegalArgumentException if a class matches no registered class
     */
    public Set<String> typeNames(Collection<? extends Class<?>> classes) {
        Set<String> names = new LinkedHashSet<>();
        for (Class<?> wanted : classes) {
            boolean found = false;
            for (RegisteredType type : byName.values()) {
                if (wanted.isAssignableFrom(type.eventClass())) {
                    names.add(type.name());
                    found = true;
                }
            }
            if (!found) {
                throw new IllegalArgumentException("no registered event class is a " + wanted.getName()
                        + "; register it (or its subclasses) in EventTypes");
            }
        }
        return Collections.unmodifiableSet(names);
    }

    @Override
    public String toString() {
        return "EventTypes" + byName.values();
    }

    /** Collects registrations. Not thread-safe: use it from one thread, then {@link #build()}. */
    public static final class Builder {
        private final Map<Class<?>, RegisteredType> byClass = new LinkedHashMap<>();
        private final Map<String, RegisteredType> byName = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Registers a class under an explicit name and schema version, ignoring any {@link EventType}.
         *
         * @throws IllegalArgumentException if the class or the name is already registered, or invalid
         */
        public Builder register(Class<?> eventClass, String name, int version) {
            add(new RegisteredType(eventClass, name, version));
            return this;
        }

        /**
         * Registers a class under its {@link EventType} name and version, or its simple name at version 1.
         *
         * @throws IllegalArgumentException if the class or the name is already registered, or invalid
         */
        public Builder register(Class<?> eventClass) {
            Objects.requireNonNull(eventClass, "event class must not be null");
            EventType annotation = eventClass.getAnnotation(EventType.class);
            String name = annotation == null || annotation.name().isEmpty() ? eventClass.getSimpleName() : annotation.name();
            int version = annotation == null ? 1 : annotation.version();
            add(new RegisteredType(eventClass, name, version));
            return this;
        }

        /** Registers each class as by {@link #register(Class)}. */
        public Builder register(Class<?>... eventClasses) {
            for (Class<?> c : eventClasses) {
                register(c);
            }
            return this;
        }

        /**
         * Registers every concrete class permitted by a sealed interface or class, recursively through
         * sealed sub-hierarchies, each as by {@link #register(Class)}.
         *
         * @throws IllegalArgumentException if the root is not sealed, an abstract permitted subclass is not
         *                                  sealed itself, or any registration fails
         */
        public Builder registerSealed(Class<?> sealedRoot) {
            Objects.requireNonNull(sealedRoot, "sealed root must not be null");
            if (!sealedRoot.isSealed()) {
                throw new IllegalArgumentException(sealedRoot.getName() + " is not sealed; registerSealed needs a "
                        + "sealed interface or class whose permitted subclasses are the events");
            }
            Deque<Class<?>> pending = new ArrayDeque<>();
            pending.push(sealedRoot);
            while (!pending.isEmpty()) {
                Class<?> current = pending.pop();
                boolean isAbstract = current.isInterface() || java.lang.reflect.Modifier.isAbstract(current.getModifiers());
                if (!isAbstract) {
                    register(current);
                }
                if (current.isSealed()) {
                    Class<?>[] permitted = current.getPermittedSubclasses();
                    for (int i = permitted.length - 1; i >= 0; i--) {
                        pending.push(permitted[i]);
                    }
                } else if (isAbstract) {
                    throw new IllegalArgumentException(current.getName() + " under sealed " + sealedRoot.getName()
                            + " is abstract but not sealed, so its event classes cannot be found; seal it or register"
                            + " its classes one by one");
                }
            }
            return this;
        }

        /** The immutable registry. The builder may be used further without affecting it. */
        public EventTypes build() {
            return new EventTypes(byClass, byName);
        }

        private void add(RegisteredType type) {
            RegisteredType sameClass = byClass.get(type.eventClass());
            if (sameClass != null) {
                throw new IllegalArgumentException("event class " + type.eventClass().getName()
                        + " is registered twice: as " + sameClass.name() + " v" + sameClass.version() + " and as "
                        + type.name() + " v" + type.version());
            }
            RegisteredType sameName = byName.get(type.name());
            if (sameName != null) {
                throw new IllegalArgumentException("event type name '" + type.name() + "' is claimed by both "
                        + sameName.eventClass().getName() + " and " + type.eventClass().getName()
                        + "; give one of them another name with @EventType(name = ...)");
            }
            byClass.put(type.eventClass(), type);
            byName.put(type.name(), type);
        }
    }
}
