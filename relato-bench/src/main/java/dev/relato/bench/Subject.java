package dev.relato.bench;

import dev.relato.StreamId;
import java.util.List;

/**
 * One system under measurement: Relato on a backend, or the plain-JDBC twin on the same database. Every
 * workload runs against this interface, so both sides do the same work: turn account events into JSON with
 * the same codec, store them with an expected-version check, read them back and decode them into the same
 * classes. Implementations are thread-safe (the concurrent workloads call them from several threads).
 */
interface Subject extends AutoCloseable {

    /** Short name for the results: {@code relato} or {@code jdbc}. */
    String kind();

    /**
     * Appends events atomically if the stream is at exactly {@code expectedVersion} (0: the stream must not
     * exist).
     *
     * @return the stream's version after the append
     * @throws VersionConflict if the stream is at another version; nothing is written
     */
    long append(StreamId stream, long expectedVersion, List<AccountEvent> events) throws VersionConflict;

    /** Reads the whole log in position order, decoding every event; returns how many were read. */
    long readAll();

    /** The state of an account, folded from all its events. */
    Account.State load(StreamId stream);

    /** Saves a snapshot of the account's current state. */
    void snapshot(StreamId stream);

    /** The state of an account from its snapshot and the events after it. */
    Account.State loadFromSnapshot(StreamId stream);

    /**
     * W6: builds the read model afresh from position 0 over the whole log, as an asynchronous projection
     * committing a batch of events with its checkpoint in one transaction, and returns once it has caught up.
     *
     * @param name the projection's (checkpoint's) name, new for each run
     * @return how many events the read model counted
     */
    long project(String name) throws Exception;

    @Override
    void close();

    /** An append found its stream at another version than expected. */
    final class VersionConflict extends Exception {
        private final long actualVersion;

        VersionConflict(long actualVersion) {
            super("stream is at version " + actualVersion, null, false, false);
            this.actualVersion = actualVersion;
        }

        long actualVersion() {
            return actualVersion;
        }
    }
}
