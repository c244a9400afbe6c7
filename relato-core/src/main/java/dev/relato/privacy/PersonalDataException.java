package dev.relato.privacy;

import dev.relato.RelatoException;
import org.jspecify.annotations.Nullable;

/**
 * Personal data could not be protected or read: a key-encryption key that is missing, malformed or not the one
 * that wrapped the stored data keys; a ciphertext that was altered or moved to another event or field. The
 * message names what is wrong. Permanent: retrying does not help. A <em>forgotten</em> subject is not a failure:
 * its fields read as erased (see {@link PersonalDataStore}).
 */
public class PersonalDataException extends RelatoException {
    public PersonalDataException(String message) {
        super(message);
    }

    public PersonalDataException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
