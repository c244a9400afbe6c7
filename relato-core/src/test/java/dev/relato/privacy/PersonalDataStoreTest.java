package dev.relato.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersonalDataStoreTest {
    record CustomerRegistered(String customerId, @PersonalData(subject = "customerId") String name,
                              @PersonalData(subject = "customerId") Integer birthYear, String country) {
    }

    private static final KeyEncryptionKey KEK = KeyEncryptionKey.of(new byte[32], "test key");
    /** Room for a hostile ciphertext larger than any store accepts by default. */
    private final InMemoryEventStore raw = InMemoryEventStore.builder().maxEventBytes(64 << 20).build();
    private final InMemoryDataKeyStore keys = new InMemoryDataKeyStore();
    private final EventTypes types = EventTypes.builder().register(CustomerRegistered.class).build();
    private final EventSerializer serializer = EventSerializer.of(types);
    private final PersonalDataStore store = PersonalDataStore.builder(raw).keyStore(keys).keyEncryptionKey(KEK)
            .types(types).policy("LegacySignup", PersonalFields.of("user.id", "user.email")).build();

    /** The same events and keys, new fields written in the first envelope format, as earlier versions wrote them. */
    private final PersonalDataStore firstFormat = PersonalDataStore.builder(raw).keyStore(keys).keyEncryptionKey(KEK)
            .types(types).envelopeFormat(1).build();

    @AfterEach
    void close() {
        store.close();
    }

    private StreamId register(String id, String name) {
        return register(store, id, name);
    }

    private StreamId register(PersonalDataStore through, String id, String name) {
        StreamId stream = StreamId.of("customer", id);
        through.append(stream, ExpectedVersion.noStream(),
                List.of(serializer.serialize(new CustomerRegistered(id, name, 1980, "NL"))));
        return stream;
    }

    private List<RecordedEvent> all() {
        try (var events = store.readAll(GlobalRead.fromStart())) {
            return events.collect(Collectors.toList());
        }
    }

    @Test
    void forgettingOneSubjectErasesItsFieldsEverywhereAndKeepsTheOther() throws Exception {
        StreamId ann = register("c-1", "Ann Example");
        StreamId bob = register("c-2", "Bob Example");

        assertThat(store.forget("c-1")).isEqualTo(1);

        CustomerRegistered erased = (CustomerRegistered) serializer.deserialize(store.read(ann).get(0));
        assertThat(erased).isEqualTo(new CustomerRegistered("c-1", PersonalDataStore.ERASED, null, "NL"));
        assertThat(PersonalDataStore.erasedFields(store.read(ann).get(0))).containsExactly("name", "birthYear");
        assertThat(serializer.deserialize(store.read(bob).get(0)))
                .isEqualTo(new CustomerRegistered("c-2", "Bob Example", 1980, "NL"));
        assertThat(PersonalDataStore.isErased(store.read(bob).get(0))).isFalse();

        assertThat(all().stream().map(serializer::deserialize).map(e -> ((CustomerRegistered) e).name()))
                .containsExactly(PersonalDataStore.ERASED, "Bob Example");

        List<RecordedEvent> delivered = new CopyOnWriteArrayList<>();
        CountDownLatch caughtUp = new CountDownLatch(1);
        try (Subscription s = store.subscribe(0, EventFilter.all(), new SubscriptionListener() {
            @Override
            public void onEvent(RecordedEvent event) {
                delivered.add(event);
            }

            @Override
            public void onCaughtUp(long position) {
                caughtUp.countDown();
            }
        })) {
            assertThat(caughtUp.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(delivered).extracting(PersonalDataStore::isErased).containsExactly(true, false);
    }

    @Test
    void forgettingRemovesTheSnapshotOfAStreamWhoseEventsOfTheSubjectWereTruncatedAway() {
        SnapshotStore snapshots = raw.snapshots();
        StreamId ann = register("c-1", "Ann Example");
        StreamId bob = register("c-2", "Bob Example");
        for (StreamId stream : List.of(ann, bob)) {
            store.append(stream, ExpectedVersion.any(), List.of(EventData.of("CustomerNoted", "{\"note\":1}")));
            snapshots.save(new Snapshot(stream, 2, 1, "{\"name\":\"" + stream.id() + " name\"}", Instant.now()));
            assertThat(store.truncateBefore(stream, 2)).isEqualTo(1);
        }
        assertThat(store.read(ann)).extracting(RecordedEvent::type).containsExactly("CustomerNoted");

        assertThat(store.forget("c-1", snapshots)).isEqualTo(1);

        assertThat(snapshots.load(ann)).isEmpty();
        assertThat(snapshots.load(bob)).isPresent();
        assertThat(keys.keysOf("$relato-truncated:c-1")).isEmpty();
        assertThat(store.forget("c-1", snapshots)).isZero();
        assertThat(store.forget("c-2", snapshots)).isEqualTo(1);
        assertThat(snapshots.load(bob)).isEmpty();
    }

    @Test
    void theStoredPayloadHoldsNoPlainTextOfPersonalFields() {
        StreamId ann = register("c-1", "Ann Example");
        String stored = raw.read(ann).get(0).payload();
        assertThat(stored).doesNotContain("Ann Example").doesNotContain("1980")
                .contains("\"customerId\":\"c-1\"").contains("\"country\":\"NL\"")
                .containsPattern("\"name\":\\{\"\\$pd\":\"[A-Za-z0-9_-]+\"}");
        assertThat(store.read(ann).get(0).payload()).contains("Ann Example");
        assertThat(FieldCrypto.keyIdsIn(stored)).containsExactlyElementsOf(keys.keysOf("c-1").stream()
                .map(WrappedKey::keyId).toList());
    }

    @Test
    void fieldsWrittenInTheFirstFormatStillReadAndAreForgotten() {
        StreamId bob = register(firstFormat, "c-2", "Bob Example");
        String stored = raw.read(bob).get(0).payload();
        assertThat(stored).doesNotContain("Bob Example").contains("\"$pd\":1").contains("\"t\":\"number\"");
        assertThat(FieldCrypto.keyIdsIn(stored)).containsExactlyElementsOf(keys.keysOf("c-2").stream()
                .map(WrappedKey::keyId).toList());
        assertThat(serializer.deserialize(store.read(bob).get(0)))
                .isEqualTo(new CustomerRegistered("c-2", "Bob Example", 1980, "NL"));
        StreamId later = StreamId.of("customer", "c-2-later");
        store.append(later, ExpectedVersion.noStream(),
                List.of(serializer.serialize(new CustomerRegistered("c-2", "Bob Later", 1981, "NL"))));
        assertThat(raw.read(later).get(0).payload()).doesNotContain("\"kid\"");

        SnapshotStore snapshots = raw.snapshots();
        for (StreamId s : List.of(bob, later)) {
            snapshots.save(new Snapshot(s, 1, 1, "{}", Instant.now()));
        }
        assertThat(store.forget("c-2", snapshots)).isEqualTo(2);
        for (StreamId s : List.of(bob, later)) {
            RecordedEvent erased = store.read(s).get(0);
            assertThat(erased.payload()).contains("\"name\":\"[erased]\"").contains("\"birthYear\":null");
            assertThat(PersonalDataStore.erasedFields(erased)).containsExactly("name", "birthYear");
        }
    }

    @Test
    void aCiphertextMovedToAnotherEventOrFieldDoesNotDecrypt() {
        StreamId ann = register("c-1", "Ann Example");
        String sealed = raw.read(ann).get(0).payload();
        StreamId copy = StreamId.of("customer", "copy");
        raw.append(copy, ExpectedVersion.noStream(), List.of(new EventData(java.util.UUID.randomUUID(),
                "CustomerRegistered", 1, sealed, dev.relato.Metadata.empty())));
        assertThatThrownBy(() -> store.read(copy)).isInstanceOf(PersonalDataException.class)
                .hasMessageContaining("'name'").hasMessageContaining("copied from another event");

        var tree = sealed.replaceFirst("\"name\":", "\"swapped\":").replaceFirst("\"birthYear\":", "\"name\":")
                .replaceFirst("\"swapped\":", "\"birthYear\":");
        StreamId swapped = StreamId.of("customer", "swapped");
        raw.append(swapped, ExpectedVersion.noStream(), List.of(EventData.of("CustomerRegistered", tree)));
        assertThatThrownBy(() -> store.read(swapped)).isInstanceOf(PersonalDataException.class);
    }

    @Test
    void tamperedOrMalformedCiphertextFailsWithAClearMessage() {
        StreamId ann = register("c-1", "Ann Example");
        String sealed = raw.read(ann).get(0).payload();
        java.util.UUID id = raw.read(ann).get(0).eventId();
        String ct = sealed.replaceAll(".*?\"name\":\\{\"\\$pd\":\"([^\"]+)\".*", "$1");
        char flipped = ct.charAt(40) == 'A' ? 'B' : 'A';
        char header = ct.charAt(0) == 'I' ? 'M' : 'I'; // another format in the first byte's high bits
        failsToReadAltered(ann, id, List.of(sealed.replace(ct, ct.substring(0, 40) + flipped + ct.substring(41)),
                sealed.replace(ct, "not base64!"),
                sealed.replace(ct, ct.substring(0, 40)),
                sealed.replace(ct, "A".repeat(FieldCrypto.MAX_CIPHERTEXT_CHARS + 4)),
                sealed.replace(ct, header + ct.substring(1)),
                sealed.replace("\"" + ct + "\"", "\"" + ct + "\",\"kid\":\"x\"")));
    }

    /** Each payload, stored as the same event at the same place, fails to read with a message naming the field. */
    private void failsToReadAltered(StreamId stream, java.util.UUID id, List<String> payloads) {
        for (String hostile : payloads) {
            raw.deleteStream(stream, ExpectedVersion.any());
            raw.append(stream, ExpectedVersion.noStream(), List.of(new EventData(id, "CustomerRegistered", 1,
                    hostile, dev.relato.Metadata.empty())));
            assertThatThrownBy(() -> store.read(stream)).isInstanceOf(PersonalDataException.class)
                    .hasMessageContaining("personal field 'name'");
        }
    }

    @Test
    void tamperedOrMalformedCiphertextInTheFirstFormatFailsWithAClearMessage() {
        StreamId ann = register(firstFormat, "c-1", "Ann Example");
        String sealed = raw.read(ann).get(0).payload();
        java.util.UUID id = raw.read(ann).get(0).eventId();
        String ct = sealed.replaceAll(".*?\"name\":\\{[^}]*\"ct\":\"([^\"]+)\".*", "$1");
        char flipped = ct.charAt(0) == 'A' ? 'B' : 'A';
        failsToReadAltered(ann, id, List.of(sealed.replace(ct, flipped + ct.substring(1)),
                sealed.replace(ct, "not base64!"),
                sealed.replace(ct, "A".repeat(FieldCrypto.MAX_CIPHERTEXT_CHARS + 4)),
                sealed.replaceFirst("\"kid\":\"[^\"]+\"", "\"kid\":\"nope\""),
                sealed.replaceFirst("\"\\$pd\":1", "\"\\$pd\":9")));
    }

    @Test
    void aForgottenSubjectThatAppearsAgainGetsANewKey() {
        register("c-1", "Ann Example");
        store.forget("c-1");
        StreamId again = StreamId.of("customer", "c-1-again");
        store.append(again, ExpectedVersion.noStream(),
                List.of(serializer.serialize(new CustomerRegistered("c-1", "Ann Again", 1981, "BE"))));
        assertThat(((CustomerRegistered) serializer.deserialize(store.read(again).get(0))).name()).isEqualTo("Ann Again");
        assertThat(keys.keysOf("c-1")).hasSize(1);
    }

    @Test
    void rotationKeepsOldEventsReadableAndRewrappingChangesNoEvent() {
        StreamId first = register("c-1", "Ann Example");
        store.rotate("c-1");
        StreamId second = StreamId.of("customer", "c-1b");
        store.append(second, ExpectedVersion.noStream(),
                List.of(serializer.serialize(new CustomerRegistered("c-1", "Ann Later", 1980, "NL"))));
        assertThat(keys.keysOf("c-1")).hasSize(2);
        assertThat(store.read(first).get(0).payload()).contains("Ann Example");
        assertThat(store.read(second).get(0).payload()).contains("Ann Later");

        byte[] nextBytes = new byte[32];
        nextBytes[0] = 1;
        KeyEncryptionKey next = KeyEncryptionKey.of(nextBytes, "next key");
        String before = raw.read(first).get(0).payload();
        assertThat(PersonalDataStore.rewrapKeys(keys, KEK, next)).isEqualTo(keys.keyIds().size());
        assertThat(PersonalDataStore.rewrapKeys(keys, KEK, next)).as("again: nothing left to do").isZero();
        assertThat(raw.read(first).get(0).payload()).isEqualTo(before);
        try (PersonalDataStore rotated = PersonalDataStore.builder(raw).keyStore(keys).keyEncryptionKey(next)
                .types(types).build()) {
            assertThat(rotated.read(first).get(0).payload()).contains("Ann Example");
        }
    }

    @Test
    void aWrongKeyEncryptionKeyFailsAtStartAndWritesNothing() {
        register("c-1", "Ann Example");
        byte[] other = new byte[32];
        other[31] = 7;
        int before = keys.keyIds().size();
        assertThatThrownBy(() -> PersonalDataStore.builder(raw).keyStore(keys)
                .keyEncryptionKey(KeyEncryptionKey.of(other, "environment variable WRONG")).types(types).build())
                .isInstanceOf(PersonalDataException.class)
                .hasMessageContaining("environment variable WRONG").hasMessageContaining("not the key");
        assertThat(keys.keyIds()).hasSize(before);
        assertThatThrownBy(() -> KeyEncryptionKey.of(new byte[16], "short key"))
                .isInstanceOf(PersonalDataException.class).hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> KeyEncryptionKey.fromEnvironment("RELATO_TEST_NO_SUCH_VARIABLE"))
                .isInstanceOf(PersonalDataException.class).hasMessageContaining("RELATO_TEST_NO_SUCH_VARIABLE")
                .hasMessageContaining("not set");
    }

    @Test
    void keyEncryptionKeysFromAFileAndAPkcs12KeyStore(@TempDir Path dir) throws Exception {
        byte[] key = new byte[32];
        key[5] = 42;
        Path file = dir.resolve("kek");
        Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
        Path p12 = dir.resolve("keys.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] password = "secret".toCharArray();
        ks.setEntry("relato", new KeyStore.SecretKeyEntry(new SecretKeySpec(key, "AES")),
                new KeyStore.PasswordProtection(password));
        try (var out = Files.newOutputStream(p12)) {
            ks.store(out, password);
        }
        KeyEncryptionKey fromFile = KeyEncryptionKey.fromFile(file);
        KeyEncryptionKey fromP12 = KeyEncryptionKey.fromPkcs12(p12, password, "relato");
        java.util.UUID id = java.util.UUID.randomUUID();
        assertThat(fromP12.unwrap(fromFile.wrap(new byte[32], id, "s"), id, "s")).isEqualTo(new byte[32]);
        assertThat(fromFile.unwrap(fromFile.wrap(new byte[32], id, "s"), id, "other subject")).isNull();

        assertThatThrownBy(() -> KeyEncryptionKey.fromPkcs12(p12, "wrong".toCharArray(), "relato"))
                .isInstanceOf(PersonalDataException.class).hasMessageContaining("keys.p12");
        assertThatThrownBy(() -> KeyEncryptionKey.fromPkcs12(p12, password, "missing"))
                .isInstanceOf(PersonalDataException.class).hasMessageContaining("no such key entry");
        Files.writeString(file, "%%%");
        assertThatThrownBy(() -> KeyEncryptionKey.fromFile(file))
                .isInstanceOf(PersonalDataException.class).hasMessageContaining("not base64");
    }

    @Test
    void aPolicyCoversTypesWithoutAnnotationsAndNestedFields() {
        StreamId s = StreamId.of("signup", "1");
        store.append(s, ExpectedVersion.noStream(), List.of(EventData.of("LegacySignup",
                "{\"user\":{\"id\":\"u-9\",\"email\":\"u9@example.com\"},\"plan\":\"gold\"}")));
        assertThat(raw.read(s).get(0).payload()).doesNotContain("u9@example.com").contains("\"plan\":\"gold\"");
        assertThat(store.read(s).get(0).payload()).contains("u9@example.com");
        store.forget("u-9");
        assertThat(store.read(s).get(0).payload()).contains("\"email\":\"[erased]\"");
        assertThat(PersonalDataStore.erasedFields(store.read(s).get(0))).containsExactly("user.email");
    }

    @Test
    void anEventWithoutItsSubjectIsRefused() {
        StreamId s = StreamId.of("signup", "2");
        assertThatThrownBy(() -> store.append(s, ExpectedVersion.noStream(), List.of(EventData.of("LegacySignup",
                "{\"user\":{\"email\":\"x@example.com\"}}")))).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("user.id");
        assertThat(raw.read(s)).isEmpty();
        assertThatThrownBy(() -> PersonalFields.of("id", "id")).isInstanceOf(dev.relato.InvalidInputException.class);
    }
}
