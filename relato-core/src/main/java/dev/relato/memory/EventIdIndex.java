package dev.relato.memory;

import java.util.UUID;

/**
 * Where each stored event id was appended: the index in the global log of the first event of its append, and the
 * append's size. An open-addressing hash table over one {@code long} array (the id's two halves and the packed
 * place side by side), so a look-up touches one or two adjacent cache lines and stores no object per id; at a
 * million ids a {@code HashMap<UUID, …>} spends most of an in-memory append on cache misses. Not thread-safe: the
 * store touches it only under its append lock.
 */
final class EventIdIndex {
    /** Longs per slot: most significant half, least significant half, place. */
    private static final int STRIDE = 3;
    /** The place of a free slot; occupied places are never 0 (see {@link #pack}). */
    private static final long FREE = 0;
    /** The place of a slot whose id was removed: skipped by look-ups, reused by insertions. */
    private static final long REMOVED = -1;

    private long[] table = new long[16 * STRIDE];
    /** Slots not free: ids stored plus removed markers. */
    private int used;

    /** Not found: {@link #find} returns this. */
    static final long ABSENT = -1;

    /** The first event's log index of the append that stored {@code id}: see {@link #find}. */
    static int first(long place) {
        return (int) (place >>> 32) - 1;
    }

    /** The size of the append that stored the id: see {@link #find}. */
    static int size(long place) {
        return (int) place;
    }

    /**
     * The place of the id's append, to read with {@link #first} and {@link #size}, or {@link #ABSENT}.
     */
    long find(UUID id) {
        return placeAt(probe(id));
    }

    /** Records that {@code id} was appended in the append whose first event is at log index {@code first}. */
    void put(UUID id, int first, int size) {
        reserve(1);
        putAt(probe(id), id, first, size);
    }

    /**
     * Makes room for {@code count} more ids, so that the slots {@link #probe} returns stay valid for as many
     * {@link #putAt} calls.
     */
    void reserve(int count) {
        if ((used + (long) count) * 2 > table.length / STRIDE) {
            rehash(count);
        }
    }

    /**
     * One look-up that serves both {@link #placeAt} and {@link #putAt}: the array index of the slot holding
     * {@code id} if it is stored, else {@code -1 - i} where {@code i} is the slot an insertion would take (the first
     * removed one on the way, or the free one that ended the search). Valid until the table next changes.
     */
    int probe(UUID id) {
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        long[] t = table;
        int mask = t.length / STRIDE - 1;
        int reuse = -1;
        for (int slot = hash(msb, lsb) & mask; ; slot = (slot + 1) & mask) {
            int i = slot * STRIDE;
            long place = t[i + 2];
            if (place == FREE) {
                return -1 - (reuse < 0 ? i : reuse);
            }
            if (place == REMOVED) {
                reuse = reuse < 0 ? i : reuse;
            } else if (t[i] == msb && t[i + 1] == lsb) {
                return i;
            }
        }
    }

    /** The place stored at a {@link #probe} that found its id, or {@link #ABSENT} for one that did not. */
    long placeAt(int probe) {
        return probe < 0 ? ABSENT : table[probe + 2];
    }

    /**
     * Stores {@code id}'s place at the slot {@link #probe} returned for it, with no table change in between and room
     * {@link #reserve reserved} beforehand.
     */
    void putAt(int probe, UUID id, int first, int size) {
        long[] t = table;
        int i = probe < 0 ? -1 - probe : probe;
        if (t[i + 2] == FREE) {
            used++;
        }
        t[i] = id.getMostSignificantBits();
        t[i + 1] = id.getLeastSignificantBits();
        t[i + 2] = pack(first, size);
    }

    /** Forgets {@code id}, if stored. */
    void remove(UUID id) {
        int i = probe(id);
        if (i >= 0) {
            table[i + 2] = REMOVED;
        }
    }

    /** A table with room for twice the ids stored and {@code extra} more, without the removed markers. */
    private void rehash(int extra) {
        long[] old = table;
        int live = 0;
        for (int i = 2; i < old.length; i += STRIDE) {
            if (old[i] != FREE && old[i] != REMOVED) {
                live++;
            }
        }
        long slots = 16;
        while (slots < (live + (long) extra) * 4) {
            slots <<= 1;
        }
        if (slots * STRIDE > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("the in-memory store is full: " + live + " event ids");
        }
        long[] t = new long[(int) slots * STRIDE];
        int mask = (int) slots - 1;
        for (int j = 0; j < old.length; j += STRIDE) {
            long place = old[j + 2];
            if (place == FREE || place == REMOVED) {
                continue;
            }
            int slot = hash(old[j], old[j + 1]) & mask;
            while (t[slot * STRIDE + 2] != FREE) {
                slot = (slot + 1) & mask;
            }
            int i = slot * STRIDE;
            t[i] = old[j];
            t[i + 1] = old[j + 1];
            t[i + 2] = place;
        }
        table = t;
        used = live;
    }

    private static long pack(int first, int size) {
        return ((long) (first + 1) << 32) | (size & 0xffffffffL);
    }

    private static int hash(long msb, long lsb) {
        long h = (msb ^ Long.rotateLeft(lsb, 32)) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
