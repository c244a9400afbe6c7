package dev.relato.examples.orders;

import dev.relato.AppendResult;
import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamRead;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read your writes: waiting until asynchronous projections have handled the events a command appended, so that
 * the answer to the command and every later query agree. Stateless and thread-safe.
 */
public final class ReadModelWait {
    private static final Logger LOG = LoggerFactory.getLogger(ReadModelWait.class);

    private ReadModelWait() {
    }

    /** Waits for some events: true if the read models have them, false if the wait ended first. */
    @FunctionalInterface
    public interface Waiter {
        boolean await(List<RecordedEvent> appended) throws InterruptedException;
    }

    /**
     * Waits until the read models have the events of {@code appended}, read back from {@code store}. The events are
     * stored, so the command has happened: a timeout or a failure here is logged under the request id, never thrown.
     */
    public static void afterCommand(EventStore store, AppendResult appended, String requestId, Duration timeout,
                                    Waiter waiter) {
        try {
            List<RecordedEvent> records = store.read(appended.stream(),
                    StreamRead.forwards().from(appended.firstVersion()).to(appended.lastVersion()));
            if (!waiter.await(records)) {
                LOG.warn("request {}: the read models have not caught up with version {} of '{}' within {};"
                        + " answering anyway", requestId, appended.lastVersion(), appended.stream(), timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("request {}: version {} of '{}' is stored, but waiting for the read models failed; answering"
                    + " anyway", requestId, appended.lastVersion(), appended.stream(), e);
        }
    }

    /**
     * Waits until each runner has handled the last of {@code appended} its projection handles; runners whose
     * projection handles none of them are not waited for.
     *
     * @param timeout for all the runners together
     * @return true if they have; false if the timeout passed or a runner stopped first
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public static boolean await(List<? extends ProjectionRunner<?>> runners, List<RecordedEvent> appended,
                                EventSerializer serializer, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProjectionRunner<?> runner : runners) {
            long position = appended.stream().filter(r -> runner.projection().accepts(r, serializer))
                    .mapToLong(RecordedEvent::position).max().orElse(0);
            if (position > 0 && !runner.awaitPosition(position, Duration.ofNanos(Math.max(0,
                    deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }
}
