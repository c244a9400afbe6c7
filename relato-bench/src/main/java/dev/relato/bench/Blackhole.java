package dev.relato.bench;

/**
 * Keeps the JIT from dropping work whose result is otherwise unused: every decoded event passes through
 * {@link #consume(Object)}, which folds its identity into a value published at the end. Thread-safe enough
 * for its purpose (lost updates do not matter).
 */
final class Blackhole {
    private static int sink;

    private Blackhole() {
    }

    static void consume(Object value) {
        sink += System.identityHashCode(value);
    }

    /** The folded value, so that it is observably used. */
    static int value() {
        return sink;
    }
}
