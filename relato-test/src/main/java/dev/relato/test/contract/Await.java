package dev.relato.test.contract;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;

/**
 * Bounded waiting for conditions another thread makes true. Polls every few milliseconds and fails with
 * a description (and the last observed state) when the limit passes, so a broken backend fails a test
 * instead of hanging it. The limit is generous on purpose: it bounds a failure, it is not a timing
 * assertion.
 */
final class Await {
    /** How long any contract test waits for something to happen before it fails. */
    static final Duration LIMIT = Duration.ofSeconds(30);

    private Await() {
    }

    /** Waits until {@code condition} holds. */
    static void until(String what, BooleanSupplier condition) {
        until(what, condition, () -> "");
    }

    /** Waits until {@code condition} holds; {@code state} describes what was seen if it never does. */
    static void until(String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String seen = state.get();
                throw new AssertionFailedError("gave up after " + LIMIT.toSeconds() + " s waiting until " + what
                        + (seen.isEmpty() ? "" : "; last seen: " + seen));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("interrupted while waiting until " + what, e);
            }
        }
    }
}
