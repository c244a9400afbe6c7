package dev.relato.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Timeouts as nanosecond counts that cannot overflow a deadline. Not part of the API. */
public final class Timeouts {
    /** How often {@link dev.relato.EventStore#awaitHead}'s default looks at the head. */
    public static final long HEAD_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final Duration LONGEST = Duration.ofDays(365L * 100);

    private Timeouts() {
    }

    /**
     * The timeout in nanoseconds: 0 for a negative one, and at most about a hundred years, so that adding it to
     * {@link System#nanoTime()} cannot overflow.
     */
    public static long nanos(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        return timeout.compareTo(LONGEST) > 0 ? LONGEST.toNanos() : timeout.toNanos();
    }

    /**
     * Throws if the calling thread is interrupted, clearing the flag as a blocking method does: called first by
     * waits whose first step (a store read) might not notice the interrupt.
     */
    public static void checkInterrupt() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
