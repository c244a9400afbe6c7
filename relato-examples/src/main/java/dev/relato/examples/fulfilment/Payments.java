package dev.relato.examples.fulfilment;

import dev.relato.aggregate.Decider;
import java.math.BigDecimal;
import java.util.List;

/** The payment of one order, an aggregate: paid once. */
public final class Payments {

    public record Pay(String orderId, BigDecimal amount) {
    }

    public record PaymentReceived(String orderId, BigDecimal amount) {
    }

    /** Whether the order is paid. */
    public static final Decider<Pay, PaymentReceived, Boolean> DECIDER = Decider.of(() -> false, (pay, paid) -> {
        if (paid) {
            throw new IllegalStateException("order " + pay.orderId() + " is already paid");
        }
        return List.of(new PaymentReceived(pay.orderId(), pay.amount()));
    }, (paid, event) -> true);

    private Payments() {
    }
}
