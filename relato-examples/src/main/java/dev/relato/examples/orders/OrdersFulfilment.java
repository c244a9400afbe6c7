package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.examples.fulfilment.Fulfilment;
import dev.relato.examples.fulfilment.FulfilmentService;
import dev.relato.examples.fulfilment.Inventory;
import dev.relato.examples.fulfilment.Payments;
import dev.relato.process.DeadlineStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.ProjectionRunner;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fulfilment of the service's orders ({@link Fulfilment}, wired by {@link FulfilmentService}), run for as long
 * as the service: confirming an order reserves the stock of its lines, a payment ships it, and an order unpaid after
 * the payment timeout is cancelled and its stock released.
 *
 * <p>The process manager follows the log on the projection runtime (its checkpoint in the store's checkpoint
 * store, so a restart resumes where it stopped); its payment deadlines are kept in the store's deadline store and
 * fired, by the given {@link Clock}, once a {@link #TICK} (a failed firing is logged and tried again at the next
 * tick). Commands refused by a decider throw as {@link #pay} says; store failures propagate. Thread-safe;
 * {@link #close()} stops both.
 */
public final class OrdersFulfilment implements AutoCloseable {
    /** How often due payment deadlines are looked for. */
    public static final Duration TICK = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(OrdersFulfilment.class);

    private final FulfilmentService fulfilment;
    private final ProjectionRunner<?> runner;
    private final ScheduledExecutorService ticker;

    /**
     * Starts the process manager on {@code store}, its checkpoint in {@code checkpoints} and its payment deadlines in
     * {@code deadlines}, and the deadline ticker.
     *
     * @param paymentTimeout how long a confirmed order may stay unpaid before it is cancelled
     * @param clock          the time the deadlines are set and fired by
     */
    public OrdersFulfilment(EventStore store, DeadlineStore deadlines, CheckpointStore checkpoints,
                            Duration paymentTimeout, Clock clock) {
        this.fulfilment = new FulfilmentService(store, deadlines, paymentTimeout, clock);
        this.runner = fulfilment.engine.runner(checkpoints).failurePolicy(ManagedProjection.POLICY).start();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "orders-payment-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleWithFixedDelay(this::fireQuietly, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Adds {@code quantity} of {@code sku} to its stock.
     *
     * @return the quantity now available
     */
    public int restock(String sku, int quantity) {
        fulfilment.bus.send(new Inventory.Restock(sku, quantity));
        return fulfilment.available(sku);
    }

    /** The quantity of {@code sku} available to reserve. */
    public int available(String sku) {
        return fulfilment.available(sku);
    }

    /**
     * Records the payment of an order; the process ships it.
     *
     * @throws IllegalStateException if the order is already paid
     */
    public void pay(String orderId, BigDecimal amount) {
        fulfilment.bus.send(new Payments.Pay(orderId, amount));
    }

    /**
     * The order's fulfilment state: {@code awaiting-payment}, {@code paid}, {@code cancelled} (unpaid in time) or
     * {@code refused} (out of stock); empty until the order is confirmed.
     */
    public Optional<String> state(String orderId) {
        return fulfilment.engine.state(orderId).map(Fulfilment::stage).filter(stage -> !stage.equals("PLACED"))
                .map(stage -> switch (stage) {
                    case "SHIPPING", "SHIPPED" -> "paid";
                    default -> stage.toLowerCase(Locale.ROOT).replace('_', '-');
                });
    }

    /** Fires the payment deadlines due now; the ticker does so every {@link #TICK}. */
    public int fireDueDeadlines() {
        return fulfilment.engine.fireDueDeadlines();
    }

    private void fireQuietly() {
        try {
            fireDueDeadlines();
        } catch (RuntimeException e) {
            LOG.warn("firing the due payment deadlines failed; trying again in {}", TICK, e);
        }
    }

    /** Stops the deadline ticker, then the process manager's runner. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            runner.close();
        }
    }
}
