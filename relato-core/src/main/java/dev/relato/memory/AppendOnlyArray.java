package dev.relato.memory;

import java.util.Arrays;

/**
 * A growable array with one writer at a time and any number of lock-free readers. The writer (holding
 * the store's append lock) adds a batch and then publishes it with a single volatile write of the size,
 * so a reader sees either none or all of a batch. A reader reads {@link #size()} first and then
 * {@link #get(int)} below it; elements below a size once read never change.
 */
final class AppendOnlyArray<T> {
    private volatile Object[] elements;
    private volatile int size;

    AppendOnlyArray(int initialCapacity) {
        elements = new Object[Math.max(initialCapacity, 1)];
    }

    /** The published size: elements below it are visible and final. */
    int size() {
        return size;
    }

    /** The element at {@code index}, which must be below a size read earlier. */
    @SuppressWarnings("unchecked")
    T get(int index) {
        return (T) elements[index];
    }

    /**
     * Adds the elements and publishes them together. Only one thread may call this at a time.
     *
     * @throws IllegalStateException if the array would exceed its maximum size
     */
    void addAll(T[] batch) {
        int n = size;
        int needed = n + batch.length;
        if (needed < 0 || needed > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("the in-memory store is full: " + n + " entries");
        }
        Object[] target = elements;
        if (needed > target.length) {
            // The larger copy is published before the size, so readers holding the old array still find
            // every element below the size they read in it, and those reading the new one find all of them.
            target = Arrays.copyOf(target, Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, target.length * 2L)));
            elements = target;
        }
        System.arraycopy(batch, 0, target, n, batch.length);
        size = needed;
    }
}
