/**
 * Personal data in events: crypto-shredding. Fields marked personal ({@link dev.relato.privacy.PersonalData} on
 * record components, or {@link dev.relato.privacy.PersonalFields} per event type) are encrypted per field with
 * AES-256-GCM under a data key of their subject, and {@link dev.relato.privacy.PersonalDataStore#forget forgetting}
 * a subject destroys its keys, which erases its data from every copy of every event at once.
 *
 * <p>Data keys are stored wrapped by a {@link dev.relato.privacy.KeyEncryptionKey} that never touches the event
 * store, in a {@link dev.relato.privacy.DataKeyStore} beside the events.
 */
@NullMarked
package dev.relato.privacy;

import org.jspecify.annotations.NullMarked;
