package dev.relato.cli;

import dev.relato.cli.console.ConsoleHandler;
import dev.relato.cli.console.ConsoleServer;
import dev.relato.cli.ops.Operations;
import dev.relato.cli.ops.StoreTarget;
import dev.relato.cli.ops.UsageException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code console}: serves the web console until interrupted. */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = {"Serves the web console for the store: overview, streams, one stream, live tail, projections.",
                "Read-only unless --allow-writes; listens on 127.0.0.1 unless --host says otherwise."},
        footer = {"", "Example:", "  relato console --port 8081 --store sqlite:orders.db", "  then open http://127.0.0.1:8081/"})
final class ConsoleCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Connect connect;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8081", description = "Port (0: any free one; default 8081).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default 127.0.0.1: this machine only).")
    String host;

    @Option(names = "--allow-writes", description = "Allow reset, rebuild, replay and discard (each asks for confirmation).")
    boolean allowWrites;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new UsageException("port must be 0 to 65535, got " + port);
        }
        StoreTarget target = connect.open();
        ConsoleHandler handler = new ConsoleHandler(new Operations(target), allowWrites);
        ConsoleServer server;
        try {
            server = ConsoleServer.start(host, port, handler);
        } catch (RuntimeException e) {
            handler.close();
            target.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            target.close();
            stopped.countDown();
        }, "relato-console-stop"));
        spec.commandLine().getOut().println("Relato console for " + target.description() + " at http://" + host + ":"
                + server.port() + "/ (" + (allowWrites ? "writes allowed" : "read-only") + ")");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
