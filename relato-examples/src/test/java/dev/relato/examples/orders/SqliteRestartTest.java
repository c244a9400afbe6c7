package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite order list survives a restart and is not applied twice: its checkpoint is in the same file. */
class SqliteRestartTest {

    @Test
    void orderListAndCheckpointSurviveARestart(@TempDir Path directory) {
        OrdersApp.Settings settings = OrdersApp.Settings.of(OrdersApp.Store.SQLITE)
                .withUrl(directory.resolve("orders.db").toString());
        String id;
        try (OrdersApp app = OrdersApp.start(settings)) {
            OrdersClient client = new OrdersClient(app.url());
            id = client.place("restarting");
            client.addLine(id, "A", 2, "3.25");
        }
        try (OrdersApp app = OrdersApp.start(settings)) {
            OrdersClient client = new OrdersClient(app.url());
            client.addLine(id, "B", 1, "1");
            JsonNode rows = client.get("/orders?customer=restarting").json();
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).get("lines").asInt()).isEqualTo(2);
            assertThat(rows.get(0).get("total").decimalValue()).isEqualByComparingTo("7.50");
            assertThat(rows.get(0).get("version").asLong()).isEqualTo(3);
            JsonNode projection = client.get("/projections").json().get(0);
            assertThat(projection.get("position").asLong()).isEqualTo(projection.get("head").asLong());
        }
    }
}
