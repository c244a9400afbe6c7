package dev.relato.aggregate;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per aggregate id, so that a repository runs the commands of one process on one aggregate one at a time
 * (load, decide, append) instead of letting them race into optimistic conflicts. A lock exists only while a thread
 * holds it or waits for it: the table holds at most as many entries as there are threads inside {@link #run}, however
 * many aggregates pass through. The lock is reentrant (a command may load or handle the same aggregate again on its
 * own thread) and is released when the work returns or throws. Thread-safe.
 */
final class AggregateLocks {
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * Runs {@code work} holding the lock of aggregate {@code id}, waiting (without timeout) for another thread
     * that holds it. Whatever {@code work} throws reaches the caller, after the lock is released.
     */
    <T> T run(String id, Supplier<T> work) {
        Entry entry = entries.compute(id, (key, present) -> {
            Entry used = present == null ? new Entry() : present;
            used.users++;
            return used;
        });
        try {
            entry.lock.lock();
            try {
                return work.get();
            } finally {
                entry.lock.unlock();
            }
        } finally {
            entries.computeIfPresent(id, (key, present) -> --present.users == 0 ? null : present);
        }
    }

    /** How many aggregates have a lock now (held or waited for). */
    int size() {
        return entries.size();
    }

    /** A lock and how many threads hold it or wait for it; {@code users} changes only inside the map's compute. */
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }
}
