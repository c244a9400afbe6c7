package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrdersAppSettingsTest {

    @Test
    void defaultsToSqliteOnPort8080() {
        OrdersApp.Settings settings = OrdersApp.Settings.parse().orElseThrow();
        assertThat(settings.store()).isEqualTo(OrdersApp.Store.SQLITE);
        assertThat(settings.url()).isEmpty();
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsEveryFlag() {
        OrdersApp.Settings settings = OrdersApp.Settings.parse("--store", "postgres", "--url",
                "jdbc:postgresql://db/orders", "--schema", "shop", "--stream", "orders-1", "--host", "0.0.0.0",
                "--port", "0", "--timeout", "5", "--payment-timeout", "45s", "--key-file", "/etc/orders/kek").orElseThrow();
        assertThat(settings).isEqualTo(new OrdersApp.Settings(OrdersApp.Store.POSTGRES,
                Optional.of("jdbc:postgresql://db/orders"), "shop", "orders-1", "0.0.0.0", 0, Duration.ofSeconds(5),
                Duration.ofSeconds(45), Optional.of(Path.of("/etc/orders/kek"))));
    }

    @Test
    void readsPaymentTimeoutsInShortAndIsoForms() {
        assertThat(OrdersApp.Settings.parse().orElseThrow().paymentTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(OrdersApp.Settings.parse("--payment-timeout", "30m").orElseThrow().paymentTimeout())
                .isEqualTo(Duration.ofMinutes(30));
        assertThat(OrdersApp.Settings.parse("--payment-timeout", "2h").orElseThrow().paymentTimeout())
                .isEqualTo(Duration.ofHours(2));
        assertThat(OrdersApp.Settings.parse("--payment-timeout", "PT5M").orElseThrow().paymentTimeout())
                .isEqualTo(Duration.ofMinutes(5));
        for (String bad : new String[] {"soon", "0s", "-5m", "PT-5M", "30", "PTM", ""}) {
            assertThatIllegalArgumentException().as(bad)
                    .isThrownBy(() -> OrdersApp.Settings.parse("--payment-timeout", bad))
                    .withMessageContaining("--payment-timeout");
        }
    }

    @Test
    void helpReturnsNoSettings() {
        assertThat(OrdersApp.Settings.parse("--help")).isEmpty();
    }

    @Test
    void rejectsBadFlags() {
        assertThatIllegalArgumentException().isThrownBy(() -> OrdersApp.Settings.parse("--store", "mysql"))
                .withMessageContaining("mysql");
        assertThatIllegalArgumentException().isThrownBy(() -> OrdersApp.Settings.parse("--port", "70000"))
                .withMessageContaining("70000");
        assertThatIllegalArgumentException().isThrownBy(() -> OrdersApp.Settings.parse("--port", "x"))
                .withMessageContaining("--port");
        assertThatIllegalArgumentException().isThrownBy(() -> OrdersApp.Settings.parse("--url"))
                .withMessageContaining("needs a value");
        assertThatIllegalArgumentException().isThrownBy(() -> OrdersApp.Settings.parse("--verbose"))
                .withMessageContaining("--verbose");
        assertThatIllegalArgumentException().isThrownBy(() -> OrdersApp.Settings.parse("--store", "postgres"))
                .withMessageContaining("--url");
        assertThatIllegalArgumentException().isThrownBy(() -> OrdersApp.Settings.parse("--timeout", "0"))
                .withMessageContaining("--timeout");
        assertThatIllegalArgumentException().isThrownBy(() -> OrdersApp.Settings.parse("--host", "a b"))
                .withMessageContaining("--host");
    }
}
