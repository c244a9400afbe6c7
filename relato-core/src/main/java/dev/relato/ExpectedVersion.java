package dev.relato;

/**
 * What an append expects of its stream's current version: the optimistic concurrency check. Versions
 * count a stream's events from 1; version 0 means the stream does not exist. Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #any()}: no check;</li>
 *   <li>{@link #noStream()}: the stream must not exist yet (create);</li>
 *   <li>{@link #streamExists()}: the stream must have at least one event;</li>
 *   <li>{@link #exactly(long)}: the stream must be at exactly this version ({@code exactly(0)} is
 *       {@code noStream()}).</li>
 * </ul>
 */
public sealed interface ExpectedVersion {

    /** Whether a stream currently at {@code currentVersion} (0: no stream) satisfies this expectation. */
    boolean matches(long currentVersion);

    static ExpectedVersion any() {
        return Any.INSTANCE;
    }

    static ExpectedVersion noStream() {
        return NoStream.INSTANCE;
    }

    static ExpectedVersion streamExists() {
        return StreamExists.INSTANCE;
    }

    /**
     * @param version the stream's exact current version, 0 or more
     * @throws IllegalArgumentException if negative
     */
    static ExpectedVersion exactly(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("expected version must be 0 or more, got " + version);
        }
        return version == 0 ? NoStream.INSTANCE : new Exactly(version);
    }

    /** No check. */
    enum Any implements ExpectedVersion {
        INSTANCE;

        @Override
        public boolean matches(long currentVersion) {
            return true;
        }

        @Override
        public String toString() {
            return "any";
        }
    }

    /** The stream must not exist. */
    enum NoStream implements ExpectedVersion {
        INSTANCE;

        @Override
        public boolean matches(long currentVersion) {
            return currentVersion == 0;
        }

        @Override
        public String toString() {
            return "no stream";
        }
    }

    /** The stream must exist. */
    enum StreamExists implements ExpectedVersion {
        INSTANCE;

        @Override
        public boolean matches(long currentVersion) {
            return currentVersion > 0;
        }

        @Override
        public String toString() {
            return "stream exists";
        }
    }

    /** The stream must be at exactly {@code version} (1 or more). */
    record Exactly(long version) implements ExpectedVersion {
        public Exactly {
            if (version < 1) {
                throw new IllegalArgumentException("use ExpectedVersion.noStream() or exactly(0) for version 0");
            }
        }

        @Override
        public boolean matches(long currentVersion) {
            return currentVersion == version;
        }

        @Override
        public String toString() {
            return "exactly " + version;
        }
    }
}
