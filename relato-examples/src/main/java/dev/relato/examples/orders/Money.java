package dev.relato.examples.orders;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * The rules and the one written form of the service's money: unit prices, line amounts and totals.
 *
 * <p><b>Canonical form.</b> Trailing zeros stripped, then at least two decimals: {@code 12.5000} and
 * {@code 12.5} are both {@code 12.50}, {@code 8} is {@code 8.00}, {@code 1.1234} stays. This is the value the
 * decider checks, the value stored in events and the value echoed in answers.
 *
 * <p><b>Bounded before any arithmetic.</b> A value as a client sent it is refused on its
 * {@link BigDecimal#precision() precision} and {@link BigDecimal#scale() scale} alone (at most
 * {@value #MAX_DIGITS} digits, scale within ±{@value #MAX_DIGITS}) before it is stripped, compared, multiplied
 * or formatted, so {@code 1e999999999} or {@code 0E-10000} cost nothing. Stored values (events written before
 * these rules, by another writer) are read back through {@link #stored(BigDecimal)}, which normalizes what can
 * be normalized and refuses the rest with a short message.
 *
 * <p>Stateless and thread-safe.
 */
final class Money {
    /** Most decimals a price has once trailing zeros are stripped. */
    static final int MAX_DECIMALS = 4;
    /** Most digits, and largest scale either way, of a number as sent, checked before anything else. */
    static final int MAX_DIGITS = 32;
    /** Unit prices are below this. */
    static final BigDecimal PRICE_LIMIT = new BigDecimal("1000000000000");
    private static final int MIN_DECIMALS_SHOWN = 2;
    private static final int DESCRIBED_DIGITS = 40;

    private Money() {
    }

    /**
     * The canonical form of a unit price as sent, if it is one: 0 or more, below 10^12, with at most
     * {@value #MAX_DECIMALS} decimals once trailing zeros are stripped.
     */
    static Optional<BigDecimal> unitPrice(BigDecimal sent) {
        if (sent.precision() > MAX_DIGITS || Math.abs(sent.scale()) > MAX_DIGITS || sent.signum() < 0) {
            return Optional.empty();
        }
        BigDecimal stripped = sent.stripTrailingZeros();
        if (stripped.scale() > MAX_DECIMALS || stripped.compareTo(PRICE_LIMIT) >= 0) {
            return Optional.empty();
        }
        return Optional.of(shown(stripped));
    }

    /**
     * A stored amount in canonical form. Events written before prices were bounded may hold values such as
     * {@code 0E-10000} or {@code 12.50000…0}: they read back as {@code 0.00} and {@code 12.50}.
     *
     * @throws IllegalStateException if the value has more than {@value #MAX_DECIMALS} decimals or
     *                               {@value #MAX_DIGITS} digits once trailing zeros are stripped
     */
    static BigDecimal stored(BigDecimal value) {
        BigDecimal stripped = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        if (stripped.scale() > MAX_DECIMALS || stripped.precision() > MAX_DIGITS
                || stripped.precision() - stripped.scale() > MAX_DIGITS) {
            throw new IllegalStateException("a stored amount (" + describe(value) + ") has more than " + MAX_DECIMALS
                    + " decimals or " + MAX_DIGITS + " digits; it cannot be read as money");
        }
        return shown(stripped);
    }

    /** A short description of any number, safe to put in a message: never more than about 60 characters. */
    static String describe(BigDecimal value) {
        if (value.precision() <= DESCRIBED_DIGITS) {
            return value.toString();
        }
        return "a number of " + value.precision() + " digits at scale " + value.scale();
    }

    private static BigDecimal shown(BigDecimal stripped) {
        return stripped.setScale(Math.max(MIN_DECIMALS_SHOWN, stripped.scale()));
    }
}
