package dev.relato.examples.spring;

import dev.relato.examples.orders.CustomerTotalsTables;
import dev.relato.examples.orders.OrderCommand;
import dev.relato.examples.orders.OrderDecider;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderListTables;
import dev.relato.examples.orders.OrderState;
import dev.relato.projection.Projection;
import dev.relato.spring.DeciderDefinition;
import dev.relato.spring.InlineProjection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The Orders service on Spring Boot. On SQLite by default ({@code relato.sqlite.path}, ./relato-orders.db); with the
 * profile {@code postgres}, on the PostgreSQL database of {@code spring.datasource.url}.
 *
 * <pre>{@code
 * java -jar relato-examples-spring/target/relato-orders-spring.jar
 * java -jar relato-examples-spring/target/relato-orders-spring.jar --spring.profiles.active=postgres \
 *      --spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/orders?user=postgres
 * }</pre>
 */
@SpringBootApplication
public class OrdersSpringApp {
    /** The orders' stream category, as in the plain example. */
    static final String CATEGORY = "Order";

    public static void main(String[] args) {
        SpringApplication.run(OrdersSpringApp.class, args);
    }

    /** The orders: a repository bean {@code ordersRepository} on the starter's store. */
    @Bean
    DeciderDefinition<OrderCommand, OrderEvent, OrderState> orders() {
        return DeciderDefinition.of(CATEGORY, OrderEvent.class, new OrderDecider());
    }

    /** The customer totals, the plain example's inline projection: they change in each append's transaction. */
    @Bean
    InlineProjection customerTotals() {
        return InlineProjection.of(CustomerTotalsTables.PROJECTION);
    }

    /**
     * The meters {@code GET /metrics} shows in Prometheus text, as the plain example does: a registry of the
     * application's (Spring Boot's Prometheus export backs off for it), so Relato's meters are registered in it.
     */
    @Bean
    PrometheusMeterRegistry prometheusMeterRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** The order list, the plain example's asynchronous projection into tables of the store's database. */
    @Bean
    Projection<Connection> orderList() {
        return OrderListTables.PROJECTION;
    }
}
