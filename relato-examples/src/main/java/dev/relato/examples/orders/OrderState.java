package dev.relato.examples.orders;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An order as its events leave it: the state {@link OrderDecider} decides on. Immutable and thread-safe;
 * the {@code with…} methods return new instances.
 *
 * @param status       where the order is in its life; {@link OrderStatus#NEW} before it is placed
 * @param customer     who placed it; empty before it is placed
 * @param lines        its lines, in the order they were added
 * @param cancelReason why it was cancelled, if it was
 * @param customerName the customer's name, if it was given; {@link dev.relato.privacy.PersonalDataStore#ERASED}
 *                     once the customer's personal data was forgotten
 */
public record OrderState(OrderStatus status, String customer, List<OrderLine> lines, Optional<String> cancelReason,
                         Optional<String> customerName) {
    private static final OrderState INITIAL = new OrderState(OrderStatus.NEW, "", List.of(), Optional.empty(),
            Optional.empty());

    public OrderState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(customer, "customer");
        lines = List.copyOf(lines);
        Objects.requireNonNull(cancelReason, "cancelReason");
        Objects.requireNonNull(customerName, "customerName");
    }

    /** The state of an order that has no events. */
    public static OrderState initial() {
        return INITIAL;
    }

    /** The line with this id, if the order has it. */
    public Optional<OrderLine> line(String lineId) {
        return lines.stream().filter(l -> l.lineId().equals(lineId)).findFirst();
    }

    /** The sum of the lines' amounts. */
    public BigDecimal total() {
        return lines.stream().map(OrderLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    OrderState withStatus(OrderStatus newStatus) {
        return new OrderState(newStatus, customer, lines, cancelReason, customerName);
    }

    OrderState placedBy(String newCustomer, Optional<String> name) {
        return new OrderState(OrderStatus.OPEN, newCustomer, lines, cancelReason, name);
    }

    OrderState withLine(OrderLine line) {
        Map<String, OrderLine> byId = byId();
        byId.put(line.lineId(), line);
        return new OrderState(status, customer, List.copyOf(byId.values()), cancelReason, customerName);
    }

    OrderState withoutLine(String lineId) {
        Map<String, OrderLine> byId = byId();
        byId.remove(lineId);
        return new OrderState(status, customer, List.copyOf(byId.values()), cancelReason, customerName);
    }

    OrderState cancelled(String reason) {
        return new OrderState(OrderStatus.CANCELLED, customer, lines, Optional.of(reason), customerName);
    }

    private Map<String, OrderLine> byId() {
        Map<String, OrderLine> byId = new LinkedHashMap<>();
        lines.forEach(l -> byId.put(l.lineId(), l));
        return byId;
    }
}
