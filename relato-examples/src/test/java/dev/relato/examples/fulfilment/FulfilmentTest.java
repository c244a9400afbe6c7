package dev.relato.examples.fulfilment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.examples.orders.OrderCommand.AddLine;
import dev.relato.examples.orders.OrderCommand.ConfirmOrder;
import dev.relato.examples.orders.OrderCommand.PlaceOrder;
import dev.relato.projection.ProjectionState;
import dev.relato.sqlite.SqliteEventStore;
import dev.relato.test.fixture.TestClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fulfilment workflow on a SQLite file, across restarts; time is a test clock. */
class FulfilmentTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    @TempDir
    Path dir;
    private final TestClock clock = TestClock.at(Instant.now());
    private SqliteEventStore store;
    private FulfilmentService service;

    private void start() {
        store = SqliteEventStore.open(dir.resolve("orders.db"));
        service = new FulfilmentService(store, store.deadlines(), TIMEOUT, clock);
    }

    @AfterEach
    void stop() {
        store.close();
    }

    private void catchUp() {
        assertThat(service.engine.runner(store.checkpoints()).catchUp().state()).isEqualTo(ProjectionState.STOPPED);
    }

    private void confirmedOrder(String orderId, String... skus) {
        service.bus.send(new PlaceOrder(orderId, "ada"));
        for (int i = 0; i < skus.length; i++) {
            service.bus.send(new AddLine(orderId, "l" + i, skus[i], 2, BigDecimal.TEN));
        }
        service.bus.send(new ConfirmOrder(orderId));
        catchUp();
    }

    private List<String> types(String category, String id) {
        return store.read(StreamId.of(category, id)).stream().map(RecordedEvent::type).toList();
    }

    @Test
    void aPaidOrderShipsAndItsDeadlineIsCancelled() {
        start();
        service.bus.send(new Inventory.Restock("sku-1", 5));
        confirmedOrder("o-1", "sku-1");
        assertThat(types("Inventory", "sku-1")).containsExactly("Restocked", "Reserved");

        service.bus.send(new Payments.Pay("o-1", BigDecimal.valueOf(20)));
        catchUp();
        catchUp();

        assertThat(types("Order", "o-1")).endsWith("OrderConfirmed", "OrderShipped");
        assertThat(service.engine.state("o-1").map(Fulfilment::stage)).contains("SHIPPED");
        clock.advance(TIMEOUT.multipliedBy(2));
        assertThat(service.engine.fireDueDeadlines()).isZero();
    }

    @Test
    void anOrderUnpaidWhileTheServiceWasDownIsCancelledOnceAfterRestart() {
        start();
        service.bus.send(new Inventory.Restock("sku-1", 5));
        confirmedOrder("o-2", "sku-1");
        store.close();

        clock.advance(TIMEOUT.plusMinutes(1));
        start();
        assertThat(service.engine.fireDueDeadlines()).isEqualTo(1);
        assertThat(service.engine.fireDueDeadlines()).isZero();

        assertThat(types("Order", "o-2")).endsWith("OrderConfirmed", "OrderCancelled");
        assertThat(types("Inventory", "sku-1")).containsExactly("Restocked", "Reserved", "Released");
        assertThat(store.read(StreamId.of("Order", "o-2")).get(3).payload()).contains("unpaid");
    }

    @Test
    void stockRefusedCancelsTheOrderAndReleasesWhatWasReserved() {
        start();
        service.bus.send(new Inventory.Restock("sku-1", 5));
        confirmedOrder("o-3", "sku-1", "sku-empty");

        assertThat(types("Order", "o-3")).endsWith("OrderConfirmed", "OrderCancelled");
        assertThat(types("Inventory", "sku-1")).containsExactly("Restocked", "Reserved", "Released");
        assertThat(store.exists(StreamId.of("Inventory", "sku-empty"))).isFalse();
        assertThat(store.deadlines().due("Fulfilment", clock.instant().plus(Duration.ofDays(1)), 10)).isEmpty();
    }
}
