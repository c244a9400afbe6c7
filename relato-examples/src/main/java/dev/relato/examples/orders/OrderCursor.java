package dev.relato.examples.orders;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a page of the order list ended: the last row's placing time and id. The list is ordered newest placed
 * first, then by id, so the next page holds the rows that come after this one in that order. Clients see it as
 * an opaque token. Immutable and thread-safe.
 */
public record OrderCursor(Instant placedAt, String orderId) {
    /** The order of the list: newest placed first, then by id. */
    public static final Comparator<OrderSummary> LIST_ORDER = Comparator.comparing(OrderSummary::placedAt).reversed()
            .thenComparing(OrderSummary::orderId);
    private static final int MAX_TOKEN = 400;

    public OrderCursor {
        Objects.requireNonNull(placedAt, "placedAt");
        Objects.requireNonNull(orderId, "orderId");
    }

    /** The cursor just after {@code row}. */
    public static OrderCursor after(OrderSummary row) {
        return new OrderCursor(row.placedAt(), row.orderId());
    }

    /** Whether {@code row} comes after this cursor in the list's order. */
    public boolean precedes(OrderSummary row) {
        int byTime = row.placedAt().compareTo(placedAt);
        return byTime < 0 || (byTime == 0 && row.orderId().compareTo(orderId) > 0);
    }

    /** The token clients pass back as {@code after}. */
    public String token() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((placedAt + "|" + orderId)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a token stands for; empty if it is not a token this service made. */
    public static Optional<OrderCursor> parse(String token) {
        if (token.isEmpty() || token.length() > MAX_TOKEN) {
            return Optional.empty();
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int bar = text.indexOf('|');
            if (bar < 0 || bar == text.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new OrderCursor(Instant.parse(text.substring(0, bar)), text.substring(bar + 1)));
        } catch (IllegalArgumentException | DateTimeException e) {
            return Optional.empty();
        }
    }
}
