package dev.relato.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition another thread makes true, failing the test after a generous limit (not a timing check). */
public final class Eventually {
    /** How long a test waits for something to happen before it fails. */
    public static final Duration LIMIT = Duration.ofSeconds(20);

    private Eventually() {
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@link #LIMIT}. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting until " + what).isNegative();
            Thread.sleep(2);
        }
    }
}
