package dev.relato.bench;

import dev.relato.StreamId;
import java.util.List;

/**
 * One system under measurement: Relato on a backend, or a peer on the same database (plain JDBC, Axon
 * Framework). Every workload runs against this interface, so all sides do the same work: turn the same account
 * events into JSON, store them with an expected-version check, read them back and decode them into the same
 * classes. Implementations are thread-safe (the concurrent workloads call them from several threads).
 */
interface Subject extends AutoCloseable {

    /** The workloads of the bench, as far as a subject may be unable to run one. */
    enum Workload {
        /** W1, and the batches that fill the log and write the aggregates. */
        BATCH_APPEND,
        /** W2. */
        SINGLE_APPENDS,
        /** W3: conflicts answered with the stream's actual version. */
        CONTENDED_APPENDS,
        /** W3 through a repository: commands loaded, decided and appended, retried from a fresh load. */
        CONTENDED_COMMANDS,
        /** W4. */
        GLOBAL_READ,
        /** W5, with and without snapshots. */
        AGGREGATE_LOAD,
        /** W6. */
        PROJECTION
    }

    /** Short name for the results, one of the kinds of {@link Backend}. */
    String kind();

    /** Whether this subject can run a workload; the methods a workload needs throw if not. */
    default boolean supports(Workload workload) {
        return true;
    }

    /**
     * Appends events atomically if the stream is at exactly {@code expectedVersion} (0: the stream must not
     * exist).
     *
     * @return the stream's version after the append
     * @throws VersionConflict if the stream is at another version; nothing is written
     */
    long append(StreamId stream, long expectedVersion, List<AccountEvent> events) throws VersionConflict;

    /**
     * Handles one command on an account as an application's command handler does: loads the account (folds its
     * stream), decides with {@link Account} and appends the events expecting the version loaded; after a conflict,
     * does it all again from a fresh load, until the append succeeds.
     *
     * @return how many conflicts the command met
     */
    default long handle(StreamId stream, Account.Command command) {
        throw new UnsupportedOperationException(kind() + " handles no commands");
    }

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
