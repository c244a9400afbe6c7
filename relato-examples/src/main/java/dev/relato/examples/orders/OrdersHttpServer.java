package dev.relato.examples.orders;

import dev.relato.cli.console.ConsoleHandler;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.Slf4jRequestLogWriter;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Orders API on an embedded Jetty 12 server (core API, no servlets).
 *
 * <ul>
 *   <li>One HTTP/1.1 connector on {@code host:port}; a connection silent for the timeout is closed (a request
 *       body still expected then is answered 408), and a request body must arrive whole within the timeout.</li>
 *   <li>At most {@value #MAX_THREADS} threads handle requests; request bodies are read without holding one, so
 *       slow clients cannot take them all. At most {@value #MAX_CONNECTIONS} connections are open at once.</li>
 *   <li>An access log line per request, through SLF4J (logger {@value #ACCESS_LOG}), with the request id.</li>
 *   <li>Every error Jetty answers itself is JSON ({@link JsonErrorHandler}).</li>
 *   <li>A server span per request ({@link TracingHandler}), the parent of the spans Relato starts for it.</li>
 *   <li>The operator's web console ({@link ConsoleHandler}, read-only) under {@value #CONSOLE_PATH}: the store's
 *       streams, log, live tail and projections.</li>
 *   <li>{@link #close()} stops accepting, lets requests in progress finish for up to {@value #STOP_MILLIS} ms,
 *       then stops.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
final class OrdersHttpServer implements AutoCloseable {
    static final int MAX_THREADS = 64;
    static final int MAX_CONNECTIONS = 1000;
    static final String ACCESS_LOG = "dev.relato.examples.orders.access";
    static final String CONSOLE_PATH = "/console";
    static final long STOP_MILLIS = 5000;
    private static final String ACCESS_FORMAT = "%{client}a \"%r\" %s %O bytes %{ms}T ms id=%{X-Request-Id}o";

    private final Server server;
    private final ServerConnector connector;
    private final ConsoleHandler console;

    private OrdersHttpServer(Server server, ServerConnector connector, ConsoleHandler console) {
        this.server = server;
        this.connector = connector;
        this.console = console;
    }

    /**
     * Starts the server and returns once it listens.
     *
     * @param timeout       how long a connection may stay silent and a request body may take
     * @param openTelemetry where each request's server span goes ({@link TracingHandler})
     * @param console       the console served under {@value #CONSOLE_PATH}, closed with the server
     * @throws UncheckedIOException if the address cannot be bound
     */
    static OrdersHttpServer start(String host, int port, Duration timeout, OrdersHttpApi api,
                                  OpenTelemetry openTelemetry, ConsoleHandler console) {
        Objects.requireNonNull(host, "host");
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 4);
        threads.setName("orders-http");
        Server server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(timeout.toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, server));
        server.setErrorHandler(new JsonErrorHandler());
        Slf4jRequestLogWriter accessLog = new Slf4jRequestLogWriter();
        accessLog.setLoggerName(ACCESS_LOG);
        server.setRequestLog(new CustomRequestLog(accessLog, ACCESS_FORMAT));
        server.setHandler(new GracefulHandler(new ContextHandlerCollection(
                new ContextHandler(console, CONSOLE_PATH), new ContextHandler(new TracingHandler(openTelemetry, api), "/"))));
        server.setStopTimeout(STOP_MILLIS);
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
            console.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + io.getMessage(), io);
            }
            throw new IllegalStateException("cannot start the HTTP server on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        return new OrdersHttpServer(server, connector, console);
    }

    /** The port the server listens on. */
    int port() {
        return connector.getLocalPort();
    }

    /** The address the server listens on, as given. */
    String host() {
        return connector.getHost();
    }

    /** Stops accepting, waits for requests in progress (up to {@value #STOP_MILLIS} ms), stops, closes the console. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the HTTP server did not stop cleanly: " + e.getMessage(), e);
        } finally {
            console.close();
        }
    }
}
