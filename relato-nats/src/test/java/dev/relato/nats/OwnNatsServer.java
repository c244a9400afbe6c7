package dev.relato.nats;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A nats-server with JetStream of a test's own, on a free port with a temporary store directory, that the
 * test may kill and start again (the shared server is never touched). Skips the test when
 * {@code /usr/sbin/nats-server} is missing, and fails it under {@code CI=true}. {@link #close()} kills the
 * server and deletes its directory.
 */
final class OwnNatsServer implements AutoCloseable {
    private static final Path SERVER = Path.of("/usr/sbin/nats-server");

    private final int port;
    private final Path storeDir;
    private final List<String> arguments;
    private Process process;

    private OwnNatsServer(int port, Path storeDir, List<String> arguments) {
        this.port = port;
        this.storeDir = storeDir;
        this.arguments = arguments;
    }

    /** Starts a server on a free port. */
    static OwnNatsServer start() throws IOException, InterruptedException {
        requireBinary();
        int port = freePort();
        Path dir = Files.createTempDirectory("relato-nats-own");
        OwnNatsServer server = new OwnNatsServer(port, dir,
                List.of("-a", "127.0.0.1", "-p", Integer.toString(port), "-js", "-sd", dir.toString()));
        server.restart();
        return server;
    }

    /**
     * A server, not started yet, that listens for clients on {@code port} and reads the rest of its settings from
     * {@code config}; its log goes to {@code dir}, which {@link #close()} deletes.
     */
    static OwnNatsServer configured(int port, Path dir, Path config) {
        return new OwnNatsServer(port, dir, List.of("-c", config.toString()));
    }

    /** Skips the test (fails it under CI) if the nats-server binary is missing. */
    static void requireBinary() {
        if (!Files.isExecutable(SERVER)) {
            String message = SERVER + " is not installed; this test needs nats-server processes of its own";
            if (NatsTestServer.inCi()) {
                fail(message);
            }
            assumeTrue(false, message);
        }
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** Whether the server process is running. */
    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server at once (SIGKILL). */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
            process = null;
        }
    }

    /** Asks the server to shut down (SIGTERM) and waits until it has, killing it after 30 seconds. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    /** Starts the server again on the same port and directory, and waits until it listens. */
    void restart() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(SERVER.toString());
        command.addAll(arguments);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(storeDir.resolve("server.log").toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    fail("nats-server exited with " + process.exitValue() + "; see " + storeDir.resolve("server.log"));
                }
                Thread.sleep(50);
            }
        }
        fail("nats-server did not listen on port " + port + " within 20 s");
    }

    @Override
    public void close() throws IOException {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the kill was sent; only the wait for it was cut short
        }
        TestFiles.deleteTree(storeDir);
    }

    /** A port on the loopback address that nothing listens on right now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
