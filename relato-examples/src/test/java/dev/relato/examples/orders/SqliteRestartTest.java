package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What survives a restart of the service on SQLite: the order list and its checkpoint (in the same file, so
 * nothing is applied twice), and the outcome of commands sent with an idempotency key.
 */
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

    @Test
    void anIdempotencyKeyReplaysTheFirstOutcomeAfterARestart(@TempDir Path directory) {
        OrdersApp.Settings settings = OrdersApp.Settings.of(OrdersApp.Store.SQLITE)
                .withUrl(directory.resolve("orders.db").toString());
        String placeKey = UUID.randomUUID().toString();
        String lineKey = UUID.randomUUID().toString();
        String line = "{\"sku\":\"A\",\"quantity\":2,\"unitPrice\":1.5}";
        OrdersClient.Reply placed;
        OrdersClient.Reply added;
        try (OrdersApp app = OrdersApp.start(settings)) {
            OrdersClient client = new OrdersClient(app.url());
            placed = client.postOnce("/orders", "{\"customer\":\"restarting\"}", placeKey);
            assertThat(placed.status()).isEqualTo(201);
            added = client.postOnce("/orders/" + placed.json().get("id").asText() + "/lines", line, lineKey);
            assertThat(added.status()).isEqualTo(201);
        }
        try (OrdersApp app = OrdersApp.start(settings)) {
            OrdersClient client = new OrdersClient(app.url());
            OrdersClient.Reply placedAgain = client.postOnce("/orders", "{\"customer\":\"restarting\"}", placeKey);
            assertThat(placedAgain.status()).isEqualTo(201);
            assertThat(placedAgain.body()).isEqualTo(placed.body());
            assertThat(placedAgain.header(OrdersHttpApi.REPLAYED)).isEqualTo("true");
            String id = placed.json().get("id").asText();
            OrdersClient.Reply addedAgain = client.postOnce("/orders/" + id + "/lines", line, lineKey);
            assertThat(addedAgain.body()).isEqualTo(added.body());
            assertThat(client.get("/orders/" + id + "/events").json()).hasSize(2);
            assertThat(client.get("/orders?customer=restarting").json()).hasSize(1);
            assertThat(client.postOnce("/orders", "{\"customer\":\"someone else\"}", placeKey).status())
                    .isEqualTo(422);
        }
    }
}
