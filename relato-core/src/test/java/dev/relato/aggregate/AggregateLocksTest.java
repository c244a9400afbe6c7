package dev.relato.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AggregateLocksTest {
    private final AggregateLocks locks = new AggregateLocks();

    @Test
    void aLockLivesOnlyWhileItIsHeld() {
        for (int i = 0; i < 10_000; i++) {
            String id = "a-" + i;
            assertThat(locks.run(id, () -> locks.size())).isEqualTo(1);
        }
        assertThat(locks.size()).isZero();
    }

    @Test
    void aThrowingRunReleasesItsLock() throws Exception {
        assertThatThrownBy(() -> locks.run("a-1", () -> {
            throw new IllegalStateException("refused");
        })).hasMessage("refused");
        assertThat(locks.size()).isZero();

        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertThat(other.submit(() -> locks.run("a-1", () -> "done")).get(1, TimeUnit.MINUTES)).isEqualTo("done");
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void theHolderMayTakeItsLockAgain() {
        assertThat(locks.run("a-1", () -> locks.run("a-1", () -> locks.size()))).isEqualTo(1);
        assertThat(locks.size()).isZero();
    }

    @Test
    void aWaiterKeepsTheLockAliveAndRunsAfterTheHolder() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> holder = pool.submit(() -> locks.run("a-1", () -> {
                holding.countDown();
                awaitUninterruptibly(release);
                return "first";
            }));
            holding.await();
            Future<Integer> waiter = pool.submit(() -> locks.run("a-1", () -> locks.size()));
            assertThat(locks.run("a-2", () -> "elsewhere")).as("other ids do not wait").isEqualTo("elsewhere");
            assertThat(waiter).isNotDone();

            release.countDown();

            assertThat(holder.get(1, TimeUnit.MINUTES)).isEqualTo("first");
            assertThat(waiter.get(1, TimeUnit.MINUTES)).isEqualTo(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(locks.size()).isZero();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
