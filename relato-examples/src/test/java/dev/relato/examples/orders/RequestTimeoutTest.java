package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that send headers and part of a body, then stall: they are answered 408 once the timeout passes and
 * their connections closed, while the service keeps answering others. HTTP only, so one store (memory) is enough.
 */
class RequestTimeoutTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void stalledBodiesAreAnswered408AndClosed() throws IOException {
        OrdersApp.Settings settings = OrdersApp.Settings.of(OrdersApp.Store.MEMORY).withTimeout(Duration.ofSeconds(1));
        try (OrdersApp app = OrdersApp.start(settings)) {
            RawHttp raw = new RawHttp(app.port());
            OrdersClient client = new OrdersClient(app.url());
            List<Socket> stalled = raw.stall(32, "/orders", BOUND);
            try {
                assertThat(client.get("/health").status()).isEqualTo(200);
                for (Socket socket : stalled) {
                    RawHttp.Answer answer = RawHttp.read(socket.getInputStream());
                    OrdersHttpContract.assertError(answer, 408, "request_timeout");
                    assertThat(socket.getInputStream().read()).isEqualTo(-1);
                }
                // A new client: the first one's pooled connection has been idle past the 1 s timeout, and the server
                // may close it just as the client reuses it, which a POST is not retried over.
                assertThat(new OrdersClient(app.url()).place("after the stall")).isNotBlank();
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }
}
