package dev.relato.nats;

import dev.relato.RetryPolicy;
import dev.relato.StoreUnavailableException;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.spi.RetryState;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of the cluster projection test, in a JVM of its own: runs the {@link LedgerModel} projection at least
 * once, under the leases of the store's cluster, with its checkpoint in the store's checkpoint bucket. Prints
 * {@code READY} once its runner has started and {@code STATE <state>} whenever the runner's state changes; ends when
 * its standard input is closed (or when it is killed).
 *
 * <p>Arguments: server URLs, JetStream stream, node id, lease duration in milliseconds, the model's bucket.
 */
final class ProjectionNode {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionNode.class);
    private ProjectionNode() {
    }

    public static void main(String[] args) throws Exception {
        String urls = args[0];
        String node = args[2];
        Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
        try (NatsEventStore store = whileUnavailable(() -> NatsEventStore.builder().url(urls).streamName(args[1])
                .replicas(3).build());
             Connection modelConnection = NatsCluster.connect(urls)) {
            LedgerModel model = new LedgerModel(modelConnection, args[4]);
            NatsCheckpointStore checkpoints = whileUnavailable(store::checkpoints);
            NatsProjectionLeases leases = whileUnavailable(() -> store.leases(node));
            try (ProjectionRunner<LedgerModel> runner = ProjectionRunner.builder(LedgerModel.PROJECTION, store,
                            LedgerModel.SERIALIZER)
                    .context(model, checkpoints)
                    .leases(leases, lease)
                    .batchSize(25)
                    .pollInterval(Duration.ofMillis(100))
                    .storeRetry(RetryPolicy.whileUnavailable(Duration.ofMinutes(2)))
                    .start()) {
                System.out.println("READY");
                System.out.flush();
                Thread states = new Thread(() -> printStates(runner), "states");
                states.setDaemon(true);
                states.start();
                while (System.in.read() != -1) {
                    // runs until the test closes standard input, or kills this JVM
                }
            }
        }
    }

    /**
     * Sets something up, again while it fails transiently (several nodes creating the same buckets at once on a
     * cluster can leave a request unanswered), for at most a minute.
     */
    private static <T> T whileUnavailable(Supplier<T> setUp) throws InterruptedException {
        RetryState retries = new RetryState(RetryPolicy.whileUnavailable(Duration.ofMinutes(1)));
        while (true) {
            try {
                return setUp.get();
            } catch (StoreUnavailableException e) {
                Duration wait = retries.failed().orElseThrow(() -> e);
                LOG.warn("setting up failed transiently, retrying in {}: {}", wait, e.getMessage());
                Thread.sleep(wait.toMillis());
            }
        }
    }

    private static void printStates(ProjectionRunner<LedgerModel> runner) {
        ProjectionState last = null;
        while (true) {
            ProjectionState state = runner.status().state();
            if (state != last) {
                System.out.println("STATE " + state);
                System.out.flush();
                last = state;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
