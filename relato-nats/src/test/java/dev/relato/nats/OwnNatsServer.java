package dev.relato.nats;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

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
    private Process process;

    private OwnNatsServer(int port, Path storeDir) {
        this.port = port;
        this.storeDir = storeDir;
    }

    /** Starts a server on a free port. */
    static OwnNatsServer start() throws IOException, InterruptedException {
        if (!Files.isExecutable(SERVER)) {
            String message = SERVER + " is not installed; this test needs a nats-server process of its own";
            if (NatsTestServer.inCi()) {
                fail(message);
            }
            assumeTrue(false, message);
        }
        OwnNatsServer server = new OwnNatsServer(freePort(), Files.createTempDirectory("relato-nats-own"));
        server.restart();
        return server;
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** Kills the server at once (SIGKILL). */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
            process = null;
        }
    }

    /** Starts the server again on the same port and directory, and waits until it listens. */
    void restart() throws IOException, InterruptedException {
        process = new ProcessBuilder(SERVER.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js",
                "-sd", storeDir.toString())
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
        try (Stream<Path> files = Files.walk(storeDir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
