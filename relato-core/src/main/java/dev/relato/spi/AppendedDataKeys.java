package dev.relato.spi;

import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.WrappedKey;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * New data keys of personal data handed to the append that first uses them, so that a store keeping its data keys
 * in the same database as its events writes them in the append's own transaction: one commit, and never events
 * durable without their key nor a key left by an append that failed.
 *
 * <p>A store registers each of its event stores whose appends write the keys ({@link #register}), naming the key
 * stores that are its own. A {@link dev.relato.privacy.PersonalDataStore} over such an event store, with such a key
 * store, makes its new keys without storing them and {@linkplain #during hands them} to the append; the store
 * {@linkplain #take takes} them on the appending thread, before its work may move to another thread, and writes
 * them (a key id stored already is left as it is) in the transaction, or savepoint, of the append's events. Over
 * any other event store the personal data store stores its keys first, then appends.
 *
 * <p>Thread-safe: the handed keys are the current thread's.
 */
public final class AppendedDataKeys {
    private static final Map<EventStore, Predicate<DataKeyStore>> WRITERS =
            Collections.synchronizedMap(new WeakHashMap<>());
    private static final ThreadLocal<Handed> HANDED = new ThreadLocal<>();

    private AppendedDataKeys() {
    }

    /** Keys handed to an append, for one key store. */
    private static final class Handed {
        final DataKeyStore target;
        final List<WrappedKey> keys;
        boolean taken;

        Handed(DataKeyStore target, List<WrappedKey> keys) {
            this.target = target;
            this.keys = keys;
        }
    }

    /**
     * Declares that every append through {@code store} takes the keys handed for a key store {@code own} accepts and
     * writes them in its transaction. The registration lasts as long as {@code store} is reachable.
     */
    public static void register(EventStore store, Predicate<DataKeyStore> own) {
        WRITERS.put(Objects.requireNonNull(store, "store"), Objects.requireNonNull(own, "own"));
    }

    /** Whether appends through {@code store} write the keys handed for {@code keys} in their transaction. */
    public static boolean writtenBy(EventStore store, DataKeyStore keys) {
        Predicate<DataKeyStore> own = WRITERS.get(store);
        return own != null && own.test(keys);
    }

    /**
     * Runs {@code append} with {@code keys} handed to it for {@code target}. If it returns without a store having
     * taken them (no store registered for {@code target} took part), they are added to {@code target} before this
     * returns.
     */
    public static <T> T during(DataKeyStore target, List<WrappedKey> keys, Supplier<T> append) {
        Handed outer = HANDED.get();
        Handed mine = new Handed(target, List.copyOf(keys));
        HANDED.set(mine);
        T result;
        try {
            result = append.get();
        } finally {
            if (outer == null) {
                HANDED.remove();
            } else {
                HANDED.set(outer);
            }
        }
        if (!mine.taken) {
            mine.keys.forEach(target::add);
        }
        return result;
    }

    /**
     * The keys handed to the append running on this thread, if they are for a key store {@code own} accepts; the
     * caller must write them in its append's transaction, and again in each transaction that runs the append again
     * (after a serialization failure, say). Empty otherwise.
     */
    public static List<WrappedKey> take(Predicate<DataKeyStore> own) {
        Handed handed = HANDED.get();
        if (handed == null || !own.test(handed.target)) {
            return List.of();
        }
        handed.taken = true;
        return handed.keys;
    }
}
