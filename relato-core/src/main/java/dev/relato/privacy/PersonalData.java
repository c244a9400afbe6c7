package dev.relato.privacy;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component of an event as personal data of the subject named by another component:
 *
 * <pre>{@code
 * record CustomerRegistered(String customerId, @PersonalData(subject = "customerId") String name,
 *                           @PersonalData(subject = "customerId") String email, String country) {}
 * }</pre>
 *
 * <p>A {@link PersonalDataStore} encrypts the marked components under a data key of the subject (the value of
 * the {@link #subject()} component) and leaves the rest of the payload plain JSON. All marked components of one
 * record must name the same subject component, which must not itself be marked.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface PersonalData {
    /** The name of the record component whose value identifies the person this data belongs to. */
    String subject();
}
