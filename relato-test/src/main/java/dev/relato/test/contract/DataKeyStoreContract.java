package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.WrappedKey;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link DataKeyStore} keeps: wrapped keys stored byte for byte, found by id and by subject,
 * the newest per subject, re-wrapped in place, and destroyed per subject for good. A backend extends it with one
 * small subclass implementing {@link #createKeyStore()}, which must return an empty key store isolated from
 * every other; {@link #destroyKeyStore(DataKeyStore)} is called after every test.
 */
public abstract class DataKeyStoreContract {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private DataKeyStore keys;

    /** For the subclass of a store module. */
    protected DataKeyStoreContract() {
    }

    /** A new, empty key store. */
    protected abstract DataKeyStore createKeyStore();

    /** Releases what {@link #createKeyStore()} made; by default nothing. */
    protected void destroyKeyStore(DataKeyStore store) throws Exception {
    }

    @BeforeEach
    protected final void createKeyStoreUnderTest() {
        keys = createKeyStore();
        assertThat(keys).as("createKeyStore() returned null").isNotNull();
    }

    @AfterEach
    protected final void destroyKeyStoreUnderTest() throws Exception {
        if (keys != null) {
            destroyKeyStore(keys);
        }
    }

    private static WrappedKey key(String subject, int second) {
        byte[] wrapped = new byte[60];
        for (int i = 0; i < wrapped.length; i++) {
            wrapped[i] = (byte) (i * 37 + second);
        }
        wrapped[0] = 0;
        return new WrappedKey(UUID.randomUUID(), subject, wrapped, T0.plusSeconds(second));
    }

    @Test
    @DisplayName("a key is stored byte for byte and found by id and by subject, newest last")
    void storesAndFinds() {
        WrappedKey old = key("customer-1", 1);
        WrappedKey newer = key("customer-1", 2);
        WrappedKey other = key("customer-2", 3);
        keys.add(newer);
        keys.add(old);
        keys.add(other);

        assertThat(keys.find(old.keyId())).contains(old);
        assertThat(keys.find(UUID.randomUUID())).isEmpty();
        assertThat(keys.newest("customer-1")).contains(newer);
        assertThat(keys.newest("nobody")).isEmpty();
        assertThat(keys.keysOf("customer-1")).containsExactly(old, newer);
        assertThat(keys.keyIds()).containsExactlyInAnyOrder(old.keyId(), newer.keyId(), other.keyId());
    }

    @Test
    @DisplayName("adding a stored key id again changes nothing")
    void addIsIdempotent() {
        WrappedKey k = key("customer-1", 1);
        keys.add(k);
        keys.add(new WrappedKey(k.keyId(), "customer-1", new byte[] {1, 2, 3}, T0.plusSeconds(9)));
        assertThat(keys.find(k.keyId())).contains(k);
        assertThat(keys.keysOf("customer-1")).hasSize(1);
    }

    @Test
    @DisplayName("re-wrapping replaces the bytes of a stored key only")
    void rewrap() {
        WrappedKey k = key("customer-1", 1);
        keys.add(k);
        byte[] rewrapped = {9, 8, 7, 0, 6};
        assertThat(keys.rewrap(k.keyId(), rewrapped)).isTrue();
        assertThat(keys.find(k.keyId()).orElseThrow().wrapped()).isEqualTo(rewrapped);
        assertThat(keys.find(k.keyId()).orElseThrow().createdAt()).isEqualTo(k.createdAt());
        assertThat(keys.rewrap(UUID.randomUUID(), rewrapped)).isFalse();
    }

    @Test
    @DisplayName("destroying a subject removes every key of it and nothing else")
    void destroy() {
        WrappedKey a1 = key("customer-1", 1);
        WrappedKey a2 = key("customer-1", 2);
        WrappedKey b = key("customer-2", 3);
        keys.add(a1);
        keys.add(a2);
        keys.add(b);

        assertThat(keys.destroy("customer-1")).isEqualTo(2);
        assertThat(keys.find(a1.keyId())).isEmpty();
        assertThat(keys.find(a2.keyId())).isEmpty();
        assertThat(keys.newest("customer-1")).isEmpty();
        assertThat(keys.find(b.keyId())).contains(b);
        assertThat(keys.destroy("customer-1")).isZero();

        WrappedKey again = key("customer-1", 4);
        keys.add(again);
        assertThat(keys.newest("customer-1")).contains(again);
    }

    @Test
    @DisplayName("subjects are compared exactly: any text, case and length up to 256 characters")
    void subjectsAreExact() {
        String long256 = "s".repeat(256);
        WrappedKey upper = key("Customer-é ✓", 1);
        WrappedKey lower = key("customer-é ✓", 2);
        WrappedKey longest = key(long256, 3);
        keys.add(upper);
        keys.add(lower);
        keys.add(longest);
        assertThat(keys.keysOf("Customer-é ✓")).containsExactly(upper);
        assertThat(keys.newest(long256)).contains(longest);
    }
}
