package dev.relato.internal;

import java.time.Duration;
import java.util.Objects;

/** The checks every {@code ProjectionLeases} implementation makes before it takes a lease. */
public final class LeaseRules {
    private LeaseRules() {
    }

    /**
     * Checks the arguments of {@code acquire(name, duration)}.
     *
     * @throws dev.relato.InvalidInputException if the name is blank, over 200 characters or has a control character
     * @throws IllegalArgumentException         if the duration is not positive
     */
    public static void checkAcquire(String name, Duration duration) {
        Text.requireName(name, "consumer name", 200);
        Objects.requireNonNull(duration, "lease duration must not be null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("lease duration must be positive, got " + duration);
        }
    }
}
