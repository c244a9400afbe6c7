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
        int i = indexOf(id);
        return i < 0 ? ABSENT : table[i + 2];
    }

    /** Records that {@code id} was appended in the append whose first event is at log index {@code first}. */
    void put(UUID id, int first, int size) {
        if ((used + 1) * 2L > table.length / STRIDE) {
            rehash();
        }
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        long place = pack(first, size);
        long[] t = table;
        int mask = t.length / STRIDE - 1;
        int reuse = -1;
        for (int slot = hash(msb, lsb) & mask; ; slot = (slot + 1) & mask) {
            int i = slot * STRIDE;
            long current = t[i + 2];
            if (current == REMOVED) {
                reuse = reuse < 0 ? i : reuse;
            } else if (current == FREE) {
                int at = reuse < 0 ? i : reuse;
                if (reuse < 0) {
                    used++;
                }
                t[at] = msb;
                t[at + 1] = lsb;
                t[at + 2] = place;
                return;
            } else if (t[i] == msb && t[i + 1] == lsb) {
                t[i + 2] = place;
                return;
            }
        }
    }

    /** Forgets {@code id}, if stored. */
    void remove(UUID id) {
        int i = indexOf(id);
        if (i >= 0) {
            table[i + 2] = REMOVED;
        }
    }

    /** The array index of the slot holding {@code id}, or -1. */
    private int indexOf(UUID id) {
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        long[] t = table;
        int mask = t.length / STRIDE - 1;
        for (int slot = hash(msb, lsb) & mask; ; slot = (slot + 1) & mask) {
            int i = slot * STRIDE;
            long place = t[i + 2];
            if (place == FREE) {
                return -1;
            }
            if (place != REMOVED && t[i] == msb && t[i + 1] == lsb) {
                return i;
            }
        }
    }

    /** A table with room for twice the ids stored, without the removed markers. */
    private void rehash() {
        long[] old = table;
        int live = 0;
        for (int i = 2; i < old.length; i += STRIDE) {
            if (old[i] != FREE && old[i] != REMOVED) {
                live++;
            }
        }
        int slots = 16;
        while (slots < live * 4L) {
            slots <<= 1;
        }
        if ((long) slots * STRIDE > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("the in-memory store is full: " + live + " event ids");
        }
        long[] t = new long[slots * STRIDE];
        int mask = slots - 1;
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
