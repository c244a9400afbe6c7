package dev.relato.examples.spring;

import dev.relato.EventStore;
import dev.relato.examples.fulfilment.FulfilmentService;
import dev.relato.examples.orders.OrdersApp;
import dev.relato.examples.orders.OrdersFulfilment;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteEventStore;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The plain example's fulfilment workflow ({@link OrdersFulfilment}) on the starter's store (the application's
 * {@link EventStore}, so its appends run the inline customer totals), its deadlines and its checkpoint in the
 * store's own deadline and checkpoint stores; closed with the context, before the store. The payment
 * timeout is {@value #PAYMENT_TIMEOUT} ({@code 45s}, {@code 30m}, {@code PT5M}…; 30 minutes by default, as in the
 * plain example); the deadlines are timed by the application's {@link Clock} bean, if it has one, else by the system
 * clock. The events are read and written with the fulfilment's serializer, which knows the orders', the stock's and
 * the payments' events.
 */
@Configuration(proxyBeanMethods = false)
class OrdersFulfilmentConfiguration {
    /** The property that sets how long a confirmed order may stay unpaid. */
    static final String PAYMENT_TIMEOUT = "relato.examples.payment-timeout";

    /** The orders', the stock's and the payments' events, as the plain example reads them. */
    @Bean
    EventSerializer eventSerializer() {
        return FulfilmentService.SERIALIZER;
    }

    @Bean
    @ConditionalOnProperty(prefix = "relato", name = "store", havingValue = "sqlite", matchIfMissing = true)
    OrdersFulfilment sqliteFulfilment(EventStore events, SqliteEventStore store, Environment environment,
            ObjectProvider<Clock> clock) {
        return new OrdersFulfilment(events, store.deadlines(), store.checkpoints(), paymentTimeout(environment),
                clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    @ConditionalOnProperty(prefix = "relato", name = "store", havingValue = "postgres")
    OrdersFulfilment postgresFulfilment(EventStore events, PostgresEventStore store, Environment environment,
            ObjectProvider<Clock> clock) {
        return new OrdersFulfilment(events, store.deadlines(), store.checkpoints(), paymentTimeout(environment),
                clock.getIfAvailable(Clock::systemUTC));
    }

    /** @throws IllegalArgumentException if the payment timeout is not positive */
    private static Duration paymentTimeout(Environment environment) {
        Duration timeout = environment.getProperty(PAYMENT_TIMEOUT, Duration.class,
                OrdersApp.Settings.DEFAULT_PAYMENT_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(PAYMENT_TIMEOUT + " must be positive, got " + timeout);
        }
        return timeout;
    }
}
