package dev.relato.cli.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A Jetty server serving one {@link ConsoleHandler}: at most {@value #MAX_CONNECTIONS} connections, a connection
 * silent for {@link #IDLE_TIMEOUT} (a slow or stalled client) is closed. Closing it stops the server and the handler.
 */
public final class ConsoleServer implements AutoCloseable {
    static final int MAX_THREADS = 32;
    static final int MAX_CONNECTIONS = 100;
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final Server server;
    private final ServerConnector connector;
    private final ConsoleHandler handler;

    private ConsoleServer(Server server, ServerConnector connector, ConsoleHandler handler) {
        this.server = server;
        this.connector = connector;
        this.handler = handler;
    }

    /**
     * Starts serving {@code handler} on {@code host:port} (port 0: any free one) and returns once it listens.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static ConsoleServer start(String host, int port, ConsoleHandler handler) {
        return start(host, port, handler, IDLE_TIMEOUT);
    }

    /**
     * As {@link #start(String, int, ConsoleHandler)}, closing connections silent for {@code idleTimeout}.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static ConsoleServer start(String host, int port, ConsoleHandler handler, Duration idleTimeout) {
        Objects.requireNonNull(host, "host");
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("relato-console");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        config.setRequestHeaderSize(16 * 1024);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, server));
        server.setHandler(handler);
        server.setStopTimeout(2000);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + io.getMessage(), io);
            }
            throw new IllegalStateException("cannot start the console on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new ConsoleServer(server, connector, handler);
    }

    /** The port it listens on. */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        handler.close();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the console did not stop cleanly: " + e.getMessage(), e);
        }
    }
}
