package dev.relato.cli.ops;

import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataStore;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Erasing a subject's personal data by crypto-shredding, for the command line and the console: destroys the
 * subject's data keys in the store's key store, so every field encrypted under them reads as erased. The
 * key-encryption key is checked against the stored keys first, so a wrong key or a wrong store fails before
 * anything is destroyed. Snapshots are not touched (the policies that find them live in the application: use
 * {@link PersonalDataStore#forget(String, dev.relato.snapshot.SnapshotStore)} there). Thread-safe.
 */
public final class Erasure {
    private final EventStore store;
    private final Supplier<DataKeyStore> dataKeys;

    /** Erasure in {@code store}, whose key store {@code dataKeys} gives when first needed. */
    public Erasure(EventStore store, Supplier<DataKeyStore> dataKeys) {
        this.store = Objects.requireNonNull(store, "store");
        this.dataKeys = Objects.requireNonNull(dataKeys, "dataKeys");
    }

    /**
     * Destroys every data key of {@code subject}.
     *
     * @return the number of keys destroyed (0 if the subject had none)
     * @throws dev.relato.privacy.PersonalDataException if {@code kek} is not the key the stored keys were wrapped with
     * @throws UsageException if the subject is empty
     */
    public int forget(String subject, KeyEncryptionKey kek) {
        Inputs.requireText(subject, "subject", 1000);
        PersonalDataStore personal = PersonalDataStore.builder(store).keyStore(dataKeys.get()).keyEncryptionKey(kek).build();
        return personal.forget(subject);
    }
}
