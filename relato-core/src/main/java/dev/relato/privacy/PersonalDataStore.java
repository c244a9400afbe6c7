package dev.relato.privacy;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.GlobalRead;
import dev.relato.InvalidInputException;
import dev.relato.PayloadReads.StoredPayload;
import dev.relato.PayloadReads;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamOperations;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.internal.AppendedPlainText;
import dev.relato.serialization.EventTypes;
import dev.relato.serialization.RegisteredType;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.spi.AppendedDataKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An {@link EventStore} that encrypts personal data on its way in and decrypts it on its way out: crypto-shredding.
 * Wrap any store; give it a {@link DataKeyStore} beside the events and a {@link KeyEncryptionKey} from outside them:
 *
 * <pre>{@code
 * EventStore store = PersonalDataStore.builder(sqlite)
 *         .keyStore(sqlite.dataKeys())
 *         .keyEncryptionKey(KeyEncryptionKey.fromEnvironment("RELATO_KEK"))
 *         .types(eventTypes)                       // reads @PersonalData on the registered records
 *         .policy("LegacySignup", PersonalFields.of("userId", "email"))
 *         .build();
 * store.forget("customer-42");                     // erases customer-42's fields in every event
 * }</pre>
 *
 * <h2>What is encrypted</h2>
 * For each event type with a policy ({@link PersonalData} on the registered record class, or
 * {@link Builder#policy(String, PersonalFields)}), each personal field that is present and not null is encrypted
 * under the newest data key of the event's subject (the value of the subject field, made on first use). Everything
 * else, the subject field included, stays plain JSON, so filters and projections on it keep working.
 *
 * <h2>Format</h2>
 * An encrypted field's value becomes a JSON object {@code {"$pd":"<sealed>"}}, where {@code <sealed>} is the
 * unpadded base64url of: one byte, {@code 0x20} plus the code of the JSON type of the plain value ({@code 0}
 * string, {@code 1} number, {@code 2} boolean, {@code 3} object, {@code 4} array); the data key's UUID as 16 bytes,
 * most significant first; a fresh random 96-bit nonce; and the AES-256-GCM ciphertext followed by its 128-bit tag.
 * The plain text is the field's value as JSON text in UTF-8. The associated data is that first byte, the event id's
 * 16 bytes and the key id's 16 bytes, then the stream category, stream id, event type and field path
 * (dot-separated), each as the length of its UTF-8 (an unsigned LEB128 varint) followed by its UTF-8: a ciphertext
 * copied into another event, stream, type or field does not decrypt.
 *
 * <p>Fields written in the first format read as well: {@code {"$pd":1,"kid":"<key id>","iv":"<nonce>",
 * "ct":"<ciphertext>","t":"<json type>"}}, with {@code kid} the key's UUID, {@code iv} and {@code ct} in padded
 * base64, {@code t} the type's name, and associated data the UTF-8 of the lines {@code relato-pd-v1}, event id,
 * stream category, stream id, event type, field path and key id, joined by {@code \n}. Data keys are wrapped by
 * the key-encryption key with AES-256-GCM too (nonce, then ciphertext and tag; associated data
 * {@code relato-data-key-v1\n<key id>\n<subject>}).
 *
 * <h2>Forgetting</h2>
 * {@link #forget(String)} destroys every key of a subject. Afterwards every read, rebuild and subscription
 * through this store sees the subject's encrypted fields as erased: a string field reads as {@value #ERASED},
 * any other as JSON {@code null}, and the record's metadata lists the erased field paths, comma-separated, under
 * {@value #ERASED_FIELDS}. That is never an exception. A forgotten subject that appears again gets a new key, so
 * its new data is readable. Other processes see a forgotten key as gone once their cached copy is older than the
 * {@linkplain Builder#cacheTimeToLive(Duration) cache's time to live} (one minute by default). Snapshots hold
 * decrypted state: {@link #forget(String, SnapshotStore)} also removes the snapshots of the streams holding the
 * subject's data, including streams whose events of the subject were truncated away through this store (see
 * below). Read models hold decrypted state too: drop the subject's rows where you forget it.
 *
 * <h2>Projections</h2>
 * Projections see the events decrypted: run asynchronous projections on this store (they read and subscribe
 * through it). Inline projections run by a projecting store that this store wraps (for example
 * {@code PersonalDataStore.builder(sqlite.projecting(serializer, projections))}) are handed the events of an append
 * through this store as they were given, never their ciphertext.
 *
 * <h2>Stream operations</h2>
 * When the wrapped store implements {@link StreamOperations}, so does this one, handing every call to it.
 * {@link #truncateBefore} first notes, for each subject whose encrypted data is in the events it removes, that the
 * stream held that subject's data, because a truncation keeps the stream's snapshot: the note (the stream's name
 * wrapped by the key-encryption key, kept in the data key store under a reserved subject) lets
 * {@link #forget(String, SnapshotStore)} find and remove that snapshot later, and is destroyed with the subject's
 * keys. Truncate streams holding personal data through this store, not through the wrapped one, which cannot take
 * that note. Deleting or tombstoning a stream removes its snapshot in the wrapped store already.
 *
 * <h2>Failures</h2>
 * {@link Builder#build()} checks the key-encryption key against the stored keys and fails with
 * {@link PersonalDataException} naming the key if it is not the one they were wrapped with, before anything is
 * written. An encrypted field that is malformed, altered, or copied from elsewhere throws
 * {@link PersonalDataException} naming the event and field. An event whose subject field is missing throws
 * {@link dev.relato.InvalidEventException} and is not appended.
 *
 * <p>Thread-safe when the wrapped store is.
 */
public final class PersonalDataStore extends ForwardingEventStore implements StreamOperations, PayloadReads {
    /** What an erased string field reads as. */
    public static final String ERASED = "[erased]";
    /** The metadata key listing the erased fields of a record, comma-separated. */
    public static final String ERASED_FIELDS = "$erased";
    /** The prefix of the reserved subjects under which the streams that held a subject's truncated data are noted. */
    private static final String TRUNCATED_PREFIX = "$relato-truncated:";

    private final Map<String, PersonalFields> policies;
    private final DataKeyStore keyStore;
    private final KeyEncryptionKey kek;
    private final DataKeys keys;
    private final FieldCrypto crypto;

    private PersonalDataStore(Builder b) {
        super(b.delegate);
        this.policies = Map.copyOf(b.policies);
        this.keyStore = b.keyStore;
        this.kek = b.kek;
        this.keys = new DataKeys(b.keyStore, b.kek, b.cacheSize, b.cacheTtl, Clock.systemUTC());
        this.crypto = new FieldCrypto(keys, policies, b.format);
    }

    private PersonalDataStore(EventStore delegate, PersonalDataStore shared) {
        super(delegate);
        this.policies = shared.policies;
        this.keyStore = shared.keyStore;
        this.kek = shared.kek;
        this.keys = shared.keys;
        this.crypto = shared.crypto;
    }

    /**
     * This store's policies and keys over another view of the same events, such as a view that joins the caller's
     * transaction: the two share their cache of data keys, so a subject forgotten through either reads as erased
     * through both at once. Closing the view closes {@code view}, not this store.
     */
    public PersonalDataStore over(EventStore view) {
        return new PersonalDataStore(Objects.requireNonNull(view, "view"), this);
    }

    /** A builder wrapping {@code store}. */
    public static Builder builder(EventStore store) {
        return new Builder(store);
    }

    /** Whether a record read through this store had fields erased. */
    public static boolean isErased(RecordedEvent record) {
        return record.metadata().get(ERASED_FIELDS).isPresent();
    }

    /** The paths of the fields erased in a record read through this store; empty if none. */
    public static List<String> erasedFields(RecordedEvent record) {
        return record.metadata().get(ERASED_FIELDS).map(s -> List.of(s.split(","))).orElse(List.of());
    }

    /**
     * Destroys every data key of the subject: its encrypted fields read as erased from now on, everywhere.
     *
     * @return the number of keys destroyed
     */
    public int forget(String subject) {
        Objects.requireNonNull(subject, "subject");
        return keys.forget(subject);
    }

    /**
     * Forgets a subject as {@link #forget(String)} does, and first removes from {@code snapshots} the snapshot of
     * every stream holding data encrypted under the subject's keys, since snapshots hold decrypted state: the
     * streams found by scanning the events of the types with personal data in the global log, and the streams
     * whose events of the subject were {@linkplain #truncateBefore truncated} through this store. Safe to run again
     * after an interruption: the keys are destroyed last.
     *
     * @return the number of streams whose snapshot was removed
     * @throws PersonalDataException if a note of a truncated stream does not open with the key-encryption key
     */
    public int forget(String subject, SnapshotStore snapshots) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(snapshots, "snapshots");
        Set<UUID> keyIds = Set.copyOf(keys.keyIdsOf(subject));
        Set<StreamId> streams = new LinkedHashSet<>();
        if (!keyIds.isEmpty() && !policies.isEmpty()) {
            try (Stream<RecordedEvent> events = delegate().readAll(GlobalRead.fromStart()
                    .filter(EventFilter.types(policies.keySet())))) {
                events.filter(e -> FieldCrypto.keyIdsIn(e.payload()).stream().anyMatch(keyIds::contains))
                        .forEach(e -> streams.add(e.streamId()));
            }
        }
        String noted = TRUNCATED_PREFIX + subject;
        for (WrappedKey note : keyStore.keysOf(noted)) {
            byte[] name = kek.unwrap(note.wrapped(), note.keyId(), noted);
            if (name == null) {
                throw new PersonalDataException("the note of a truncated stream holding data of subject '" + subject
                        + "' (" + note.keyId() + ") does not open with the key-encryption key from "
                        + kek.description());
            }
            streams.add(StreamId.parse(new String(name, StandardCharsets.UTF_8)));
        }
        streams.forEach(snapshots::delete);
        keyStore.destroy(noted);
        keys.forget(subject);
        return streams.size();
    }

    /** Makes a new data key for the subject: new events use it, events written earlier still read. */
    public void rotate(String subject) {
        Objects.requireNonNull(subject, "subject");
        keys.rotate(subject);
    }

    /**
     * Re-wraps every data key in {@code keyStore} from one key-encryption key to another, without touching events.
     * Safe to run again after an interruption. Build stores with {@code to} afterwards.
     *
     * @return the number of keys re-wrapped
     * @throws PersonalDataException if {@code from} does not open a stored key
     */
    public static int rewrapKeys(DataKeyStore keyStore, KeyEncryptionKey from, KeyEncryptionKey to) {
        return DataKeys.rewrap(keyStore, from, to);
    }

    /**
     * Encrypts the events' personal fields and appends them. A subject's first key is stored with the events: in
     * the append's own transaction when the wrapped store keeps the key store given to the builder in the same
     * database (the SQLite and PostgreSQL stores and their {@code dataKeys()}), so an append that fails leaves no
     * key and the events never commit without it; otherwise it is stored first, and an append that then fails
     * leaves it behind, unused and harmless: it is the subject's newest key and the next append uses it.
     */
    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        List<EventData> sealed = new ArrayList<>(events.size());
        Map<UUID, String> plain = new HashMap<>(events.size() * 4 / 3 + 1);
        DataKeys.Made made = new DataKeys.Made();
        for (EventData e : events) {
            EventData s = crypto.encrypt(e, stream, made);
            if (s != e) {
                plain.put(e.eventId(), e.payload());
            }
            sealed.add(s);
        }
        if (plain.isEmpty()) {
            return delegate().append(stream, expected, sealed);
        }
        AppendResult result;
        if (made.wrapped().isEmpty()) {
            result = AppendedPlainText.during(plain, () -> delegate().append(stream, expected, sealed));
        } else if (AppendedDataKeys.writtenBy(delegate(), keyStore)) {
            result = AppendedDataKeys.during(keyStore, made.wrapped(),
                    () -> AppendedPlainText.during(plain, () -> delegate().append(stream, expected, sealed)));
        } else {
            made.wrapped().forEach(keyStore::add);
            result = AppendedPlainText.during(plain, () -> delegate().append(stream, expected, sealed));
        }
        keys.stored(made);
        List<RecordedEvent> recorded = new ArrayList<>(result.events().size());
        for (RecordedEvent r : result.events()) {
            String payload = plain.get(r.eventId());
            recorded.add(payload == null ? r : AppendedPlainText.withPayload(r, payload));
        }
        return AppendResult.of(recorded, result.retried());
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        return delegate().read(stream, read).stream().map(crypto::decrypt).toList();
    }

    /**
     * The events {@link #read} returns, with only the fields a fold needs: the wrapped store's own payload reads
     * where it has them ({@link PayloadReads#of}), decrypted. Erased fields read as in {@link #read}; the list of
     * them is in the metadata of records only.
     *
     * @throws PersonalDataException as {@link #read} does, for an encrypted field that is malformed, altered or
     *                               copied from elsewhere
     */
    @Override
    public List<StoredPayload> readPayloads(StreamId stream, StreamRead read) {
        List<StoredPayload> stored = PayloadReads.of(delegate()).readPayloads(stream, read);
        List<StoredPayload> plain = new ArrayList<>(stored.size());
        for (StoredPayload s : stored) {
            plain.add(crypto.decrypt(stream, s));
        }
        return plain;
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        return delegate().readAll(read).map(crypto::decrypt);
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        Objects.requireNonNull(listener, "listener");
        return delegate().subscribe(afterPosition, filter, new SubscriptionListener() {
            @Override
            public void onEvent(RecordedEvent event) throws Exception {
                listener.onEvent(crypto.decrypt(event));
            }

            @Override
            public void onCaughtUp(long position) {
                listener.onCaughtUp(position);
            }

            @Override
            public void onStopped(Optional<Throwable> failure) {
                listener.onStopped(failure);
            }
        });
    }

    /**
     * Truncates the stream in the wrapped store, after noting each subject whose encrypted data is in the events it
     * removes (see the class description), so that forgetting the subject still removes the stream's snapshot.
     *
     * @throws UnsupportedOperationException if the wrapped store does not implement {@link StreamOperations}
     */
    @Override
    public long truncateBefore(StreamId stream, long version) {
        StreamOperations operations = operations();
        if (version < 1) {
            throw new InvalidInputException("truncate before version " + version + ": versions start at 1");
        }
        long last = delegate().streamVersion(stream);
        long below = Math.min(version, last);
        if (below > 1 && !policies.isEmpty()) {
            Set<String> subjects = new LinkedHashSet<>();
            for (RecordedEvent e : delegate().read(stream, StreamRead.forwards().to(below - 1))) {
                if (policies.containsKey(e.type())) {
                    for (UUID keyId : FieldCrypto.keyIdsIn(e.payload())) {
                        keyStore.find(keyId).ifPresent(k -> subjects.add(k.subject()));
                    }
                }
            }
            subjects.forEach(subject -> note(subject, stream));
        }
        return operations.truncateBefore(stream, version);
    }

    /** Notes in the key store that {@code stream} held data of {@code subject}; noting it again changes nothing. */
    private void note(String subject, StreamId stream) {
        String noted = TRUNCATED_PREFIX + subject;
        byte[] name = stream.toString().getBytes(StandardCharsets.UTF_8);
        UUID id = UUID.nameUUIDFromBytes((noted + "\n" + stream).getBytes(StandardCharsets.UTF_8));
        keyStore.add(new WrappedKey(id, noted, kek.wrap(name, id, noted),
                Instant.now().truncatedTo(ChronoUnit.MICROS)));
    }

    /** Deletes the stream in the wrapped store, which removes its snapshot there. */
    @Override
    public long deleteStream(StreamId stream, ExpectedVersion expected) {
        return operations().deleteStream(stream, expected);
    }

    /** Tombstones the stream in the wrapped store, which removes its snapshot there. */
    @Override
    public long tombstoneStream(StreamId stream, ExpectedVersion expected) {
        return operations().tombstoneStream(stream, expected);
    }

    @Override
    public boolean isTombstoned(StreamId stream) {
        return operations().isTombstoned(stream);
    }

    private StreamOperations operations() {
        if (delegate() instanceof StreamOperations operations) {
            return operations;
        }
        throw new UnsupportedOperationException(delegate() + " does not delete or truncate streams");
    }

    @Override
    public String toString() {
        return "PersonalDataStore[" + delegate() + ", " + policies.size() + " types with personal data]";
    }

    /** Builds a {@link PersonalDataStore}. Not thread-safe; use from one thread. */
    public static final class Builder {
        private final EventStore delegate;
        private final Map<String, PersonalFields> policies = new HashMap<>();
        private DataKeyStore keyStore;
        private KeyEncryptionKey kek;
        private int cacheSize = 10_000;
        private Duration cacheTtl = Duration.ofMinutes(1);
        private int format = FieldCrypto.COMPACT;

        private Builder(EventStore delegate) {
            this.delegate = Objects.requireNonNull(delegate, "store");
        }

        /** Where the wrapped data keys are kept; required. */
        public Builder keyStore(DataKeyStore store) {
            this.keyStore = Objects.requireNonNull(store, "key store");
            return this;
        }

        /** The key that wraps the data keys; required. */
        public Builder keyEncryptionKey(KeyEncryptionKey key) {
            this.kek = Objects.requireNonNull(key, "key-encryption key");
            return this;
        }

        /** Takes the policy of every registered record class with {@link PersonalData} components. */
        public Builder types(EventTypes types) {
            for (RegisteredType type : types.all()) {
                PersonalFields.declaredBy(type.eventClass()).ifPresent(p -> policies.put(type.name(), p));
            }
            return this;
        }

        /** The personal fields of events of type {@code type}, for types that cannot be annotated. */
        public Builder policy(String type, PersonalFields fields) {
            EventData.validateType(type);
            policies.put(type, Objects.requireNonNull(fields, "fields"));
            return this;
        }

        /** How many unwrapped data keys to keep in memory; default 10,000. */
        public Builder cacheSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("cache size must be at least 1, got " + size);
            }
            this.cacheSize = size;
            return this;
        }

        /**
         * The envelope format new encrypted fields are written in: {@code 2}, compact, by default, or {@code 1}, the
         * first format, which stores written by earlier versions hold (both are always read).
         */
        Builder envelopeFormat(int format) {
            this.format = format;
            return this;
        }

        /** How long an unwrapped key is used before it is looked up again; default one minute. */
        public Builder cacheTimeToLive(Duration ttl) {
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("cache time to live must not be negative, got " + ttl);
            }
            this.cacheTtl = ttl;
            return this;
        }

        /**
         * The store, after checking the key-encryption key against the stored data keys.
         *
         * @throws IllegalStateException if the key store or the key-encryption key is not set
         * @throws PersonalDataException if the key-encryption key is not the one the stored keys were wrapped with
         */
        public PersonalDataStore build() {
            if (keyStore == null || kek == null) {
                throw new IllegalStateException("a personal data store needs a keyStore(...) and a"
                        + " keyEncryptionKey(...)");
            }
            PersonalDataStore store = new PersonalDataStore(this);
            store.keys.verify();
            return store;
        }
    }
}
