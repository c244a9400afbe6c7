package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.cli.console.ConsoleHandler;
import dev.relato.cli.console.ConsoleServer;
import dev.relato.cli.ops.Operations;
import dev.relato.cli.ops.StoreOptions;
import dev.relato.cli.ops.StoreTarget;
import dev.relato.sqlite.SqliteDeadLetterStore;
import dev.relato.sqlite.SqliteEventStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's server without a browser: slow clients, methods, unknown paths, hostile paths. */
class ConsoleServerTest {
    @TempDir
    Path dir;
    private StoreTarget target;
    private ConsoleServer server;
    private String url;

    @BeforeEach
    void start() {
        Path file = dir.resolve("orders.db");
        try (SqliteEventStore events = SqliteEventStore.open(file)) {
            Fixture.write(events, events.checkpoints(), new SqliteDeadLetterStore(events));
        }
        target = StoreTarget.open("sqlite:" + file, StoreOptions.defaults());
        server = ConsoleServer.start("127.0.0.1", 0, new ConsoleHandler(new Operations(target), true), Duration.ofMillis(500));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        target.close();
    }

    @Test
    void aClientThatStopsHalfwayThroughItsRequestIsDisconnected() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /streams HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readAllBytes(); // returns when the server closes the connection
            String text = new String(answer, StandardCharsets.US_ASCII);
            assertThat(text.isEmpty() || text.startsWith("HTTP/1.1 408")).as(text).isTrue();
        }
    }

    @Test
    void theConsoleMountsAtAPathOfAnApplicationsServer() throws Exception {
        Server application = new Server();
        ServerConnector connector = new ServerConnector(application);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        application.addConnector(connector);
        try (ConsoleHandler console = new ConsoleHandler(new Operations(target), false)) {
            application.setHandler(new ContextHandler(console, "/console"));
            application.start();
            String base = "http://127.0.0.1:" + connector.getLocalPort();
            HttpResponse<String> streams = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                    + "/console/streams")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(streams.statusCode()).isEqualTo(200);
            assertThat(streams.body()).contains("href=\"/console/stream?id=Order-o-1\"", "href=\"/console/projections\"");
        } finally {
            application.stop();
        }
    }

    @Test
    void unknownPathsMethodsAndHostilePathsGetClearAnswers() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(url + "/nothing")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("no page /nothing\n");
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(url + "/streams"))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        HttpResponse<String> longName = http.send(HttpRequest.newBuilder(URI.create(url + "/projections/"
                + "x".repeat(10_000) + "/rebuild")).header("Origin", url).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(longName.statusCode()).isEqualTo(400);
        assertThat(longName.body()).contains("projection name is 10000 characters long");
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(url + "/projections/nope/rebuild"))
                .header("Origin", url).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no projection &#39;nope&#39;");
        HttpResponse<String> nul = http.send(HttpRequest.newBuilder(URI.create(url + "/projections/a%00b/rebuild"))
                .header("Origin", url).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(nul.statusCode()).isEqualTo(400);
    }
}
