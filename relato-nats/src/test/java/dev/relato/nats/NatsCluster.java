package dev.relato.nats;

import static org.assertj.core.api.Assertions.fail;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.Replica;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JetStream cluster of nats-server processes of a test's own on the loopback address: each node on free client
 * and route ports, with its own store directory, routes to every other node. Nodes can be killed (SIGKILL), stopped
 * (SIGTERM) and started again. Skips the test when {@code /usr/sbin/nats-server} is missing, and fails it under
 * {@code CI=true}. {@link #close()} kills every node and deletes the directories.
 */
final class NatsCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NatsCluster.class);
    /** How long the cluster may take to form, or a stream to elect a leader and catch up its replicas. */
    static final Duration FORMING = Duration.ofSeconds(90);

    private final Path root;
    private final Map<String, OwnNatsServer> nodes;

    private NatsCluster(Path root, Map<String, OwnNatsServer> nodes) {
        this.root = root;
        this.nodes = nodes;
    }

    /** Starts {@code size} nodes, named {@code n1} … and waits until JetStream can place streams on all of them. */
    static NatsCluster start(int size) throws IOException, InterruptedException {
        OwnNatsServer.requireBinary();
        Path root = Files.createTempDirectory("relato-nats-cluster");
        List<Integer> clientPorts = new ArrayList<>();
        List<Integer> routePorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            clientPorts.add(OwnNatsServer.freePort());
            routePorts.add(OwnNatsServer.freePort());
        }
        Map<String, OwnNatsServer> nodes = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            String name = "n" + (i + 1);
            Path dir = Files.createDirectories(root.resolve(name));
            int self = i;
            String routes = routePorts.stream().filter(p -> !p.equals(routePorts.get(self)))
                    .map(p -> "\"nats-route://127.0.0.1:" + p + "\"").collect(Collectors.joining(", "));
            Path config = dir.resolve("server.conf");
            Files.writeString(config, String.join("\n",
                    "server_name: " + name,
                    "listen: 127.0.0.1:" + clientPorts.get(i),
                    "jetstream { store_dir: \"" + dir.resolve("jetstream") + "\", max_memory_store: 64MB }",
                    "cluster {",
                    "  name: relato-test",
                    "  listen: 127.0.0.1:" + routePorts.get(i),
                    "  routes: [" + routes + "]",
                    "}",
                    ""));
            nodes.put(name, OwnNatsServer.configured(clientPorts.get(i), dir, config));
        }
        NatsCluster cluster = new NatsCluster(root, nodes);
        try {
            for (OwnNatsServer node : nodes.values()) {
                node.restart();
            }
            cluster.awaitFormed();
        } catch (RuntimeException | Error | IOException | InterruptedException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The client URLs of every node, comma-separated, as the store builders take them. */
    String urls() {
        return nodes.values().stream().map(OwnNatsServer::url).collect(Collectors.joining(","));
    }

    /** The node of this name. */
    OwnNatsServer node(String name) {
        OwnNatsServer node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
        }
        return node;
    }

    /** The names of the nodes, in order. */
    List<String> names() {
        return List.copyOf(nodes.keySet());
    }

    /** A connection to the running nodes that reconnects for ever; the caller closes it. */
    Connection connect() throws IOException, InterruptedException {
        return connect(urls());
    }

    /** A connection to these servers that reconnects for ever; the caller closes it. */
    static Connection connect(String urls) throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder().servers(urls.split(",")).connectionTimeout(Duration.ofSeconds(5))
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(100)).build());
    }

    /** A connection to the first of these servers that answers, trying them in order; it reconnects for ever. */
    static Connection connectInOrder(List<String> urls) throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder().servers(urls.toArray(String[]::new)).noRandomize()
                .connectionTimeout(Duration.ofSeconds(5)).maxReconnects(-1).reconnectWait(Duration.ofMillis(100)).build());
    }

    /**
     * A connection to this one server, which reconnects to it for ever and never to the servers it tells of; the
     * caller closes it.
     */
    static Connection connectOnly(String url) throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder().server(url).ignoreDiscoveredServers()
                .connectionTimeout(Duration.ofSeconds(5)).maxReconnects(-1).reconnectWait(Duration.ofMillis(100)).build());
    }

    /** Asks the leader of a stream to step down until {@code node} is elected to lead it. */
    void moveLeader(Connection connection, String stream, String node) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 30; attempt++) {
            String leader = awaitCaughtUp(connection, stream);
            if (leader.equals(node)) {
                return;
            }
            connection.request("$JS.API.STREAM.LEADER.STEPDOWN." + stream, new byte[0], Duration.ofSeconds(5));
            awaitCluster(connection, stream, info -> Optional.ofNullable(info.getLeader()).filter(l -> !l.equals(leader)));
        }
        throw new AssertionError(node + " was not elected to lead stream " + stream + " in 30 elections");
    }

    /** The name of the node leading a stream, once it has one. */
    String leaderOf(Connection connection, String stream) throws InterruptedException {
        return awaitCluster(connection, stream, info -> Optional.ofNullable(info.getLeader()));
    }

    /**
     * Waits until the stream has a leader and every other node is a current replica of it (caught up), and
     * returns the leader's name.
     */
    String awaitCaughtUp(Connection connection, String stream) throws InterruptedException {
        return awaitCluster(connection, stream, info -> {
            List<Replica> replicas = info.getReplicas() == null ? List.of() : info.getReplicas();
            boolean current = info.getLeader() != null && replicas.size() == nodes.size() - 1
                    && replicas.stream().allMatch(r -> r.isCurrent() && !r.isOffline() && r.getLag() == 0);
            return current ? Optional.of(info.getLeader()) : Optional.empty();
        });
    }

    private String awaitCluster(Connection connection, String stream,
                                java.util.function.Function<ClusterInfo, Optional<String>> ready)
            throws InterruptedException {
        long deadline = System.nanoTime() + FORMING.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                ClusterInfo info = connection.jetStreamManagement().getStreamInfo(stream).getClusterInfo();
                if (info != null) {
                    Optional<String> answer = ready.apply(info);
                    if (answer.isPresent()) {
                        return answer.get();
                    }
                    last = describe(info);
                }
            } catch (IOException | JetStreamApiException | IllegalStateException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("stream " + stream + " did not get there within " + FORMING + ": " + last);
    }

    private static String describe(ClusterInfo info) {
        return "leader " + info.getLeader() + ", replicas " + (info.getReplicas() == null ? "none"
                : info.getReplicas().stream().map(r -> r.getName() + (r.isCurrent() ? " current" : " behind")
                        + (r.isOffline() ? " offline" : "") + " lag " + r.getLag()).collect(Collectors.joining(", ")));
    }

    /**
     * Waits until JetStream can place a stream with one replica on every node: the meta leader is elected and
     * knows every node.
     */
    void awaitFormed() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + FORMING.toNanos();
        String probe = "relato-probe-" + UUID.randomUUID().toString().substring(0, 8);
        Exception last = null;
        try (Connection connection = connect()) {
            while (System.nanoTime() < deadline) {
                try {
                    JetStreamManagement jsm = connection.jetStreamManagement();
                    jsm.addStream(StreamConfiguration.builder().name(probe).subjects(probe)
                            .storageType(StorageType.Memory).replicas(nodes.size()).build());
                    jsm.deleteStream(probe);
                    LOG.info("JetStream cluster of {} nodes formed at {}", nodes.size(), urls());
                    return;
                } catch (IOException | JetStreamApiException | IllegalStateException e) {
                    last = e;
                    Thread.sleep(200);
                }
            }
        }
        fail("the JetStream cluster did not form within " + FORMING + ": " + last + "; see the logs in " + root);
    }

    @Override
    public void close() throws IOException {
        for (OwnNatsServer node : nodes.values()) {
            try {
                node.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        TestFiles.deleteTree(root);
    }
}
