package dev.relato.serialization;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names an event class's stable type and its current schema version, as read by
 * {@link EventTypes.Builder#register(Class)} and {@link EventTypes.Builder#registerSealed(Class)}.
 * Optional: an event class without it is registered under its simple name at version 1.
 *
 * <pre>{@code
 * @EventType(name = "OrderPlaced", version = 2)
 * public record OrderPlaced(String orderId, String customer) implements OrderEvent {}
 * }</pre>
 *
 * <p>The stored type name outlives class renames and package moves: once events are stored under a name,
 * keep the name and rename the class freely. A name or version that breaks the rules makes registration
 * fail with {@link IllegalArgumentException}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {

    /** The stable type name; empty (the default) means the class's simple name. */
    String name() default "";

    /** The current schema version of the payload's shape, 1 or more. */
    int version() default 1;
}
