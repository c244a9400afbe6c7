package dev.relato.examples.orders;

import java.util.Locale;
import java.util.Objects;

/**
 * A command broke a business rule of {@link OrderDecider}; nothing was appended. The {@link Reason} says
 * which rule and whether the command conflicts with the order's state or carries an invalid value.
 */
public final class OrderRejectedException extends RuntimeException {
    private final Reason reason;

    public OrderRejectedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    /** Why a command was rejected. */
    public enum Reason {
        /** The order does not exist. */
        ORDER_NOT_FOUND(Kind.NOT_FOUND),
        /** The order already exists. */
        ORDER_ALREADY_PLACED(Kind.CONFLICT),
        /** Lines change only while the order is open. */
        ORDER_NOT_OPEN(Kind.CONFLICT),
        /** An order without lines cannot be confirmed. */
        ORDER_EMPTY(Kind.CONFLICT),
        /** Only confirmed orders ship. */
        ORDER_NOT_CONFIRMED(Kind.CONFLICT),
        /** A shipped order cannot be cancelled or shipped again. */
        ORDER_ALREADY_SHIPPED(Kind.CONFLICT),
        /** A cancelled order cannot be cancelled again. */
        ORDER_ALREADY_CANCELLED(Kind.CONFLICT),
        /** The line is not on the order. */
        UNKNOWN_LINE(Kind.CONFLICT),
        /** A line with this id is already on the order. */
        DUPLICATE_LINE(Kind.CONFLICT),
        /** The order has as many lines as it may have. */
        TOO_MANY_LINES(Kind.CONFLICT),
        /** A customer is 1 to 100 characters, not blank, without control characters or lone surrogates. */
        INVALID_CUSTOMER(Kind.INVALID),
        /** A SKU is 1 to 64 characters, not blank, without control characters or lone surrogates. */
        INVALID_SKU(Kind.INVALID),
        /** Quantities are 1 to 1,000,000. */
        INVALID_QUANTITY(Kind.INVALID),
        /** Unit prices are 0 or more, below 10^12, with at most 4 decimals (and 32 digits as given). */
        INVALID_PRICE(Kind.INVALID),
        /** A cancellation reason is 1 to 500 characters, not blank, without control characters or lone surrogates. */
        INVALID_REASON(Kind.INVALID);

        private final Kind kind;

        Reason(Kind kind) {
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }

        /** The reason as it appears in JSON error bodies: {@code order_not_open}. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The family of a reason: what an HTTP API maps to a status code. */
    public enum Kind {
        /** The order is not there. */
        NOT_FOUND,
        /** The command does not fit the order's current state. */
        CONFLICT,
        /** The command carries a value that is never acceptable. */
        INVALID
    }
}
