package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.InvalidInputException;
import dev.relato.projection.ProjectionLeases;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ProjectionLeases} implementation keeps, as a JUnit 5 test suite: at most one node holds
 * a lease, its holder renews and releases it, and a lease its holder stops renewing passes to another node. A
 * backend extends it with one small subclass implementing {@link #createLeaseTable()}.
 *
 * <p><b>Lifecycle</b>: {@link #createLeaseTable()} is called before every test and must return an empty table of
 * leases isolated from every other; its {@link LeaseTable#close()} is called after every test. Leases expire in
 * real time: the tests that wait for an expiry use leases of {@link #shortLease()}, and bound every wait by 30
 * seconds (a bound on a failure, not a timing assertion).
 */
public abstract class ProjectionLeasesContract {
    /** A lease that no test outlives. */
    private static final Duration LONG = Duration.ofMinutes(5);

    /** A table of leases shared by the nodes a test makes. */
    public interface LeaseTable extends AutoCloseable {
        /** The leases as node {@code nodeId} sees them. */
        ProjectionLeases node(String nodeId);

        /** Drops what the table made; by default nothing. */
        @Override
        default void close() throws Exception {
        }
    }

    private LeaseTable table;

    /** A new, empty table of leases, isolated from every other one this method returns. */
    protected abstract LeaseTable createLeaseTable();

    /** How long the leases last that tests let expire; default 300 ms. */
    protected Duration shortLease() {
        return Duration.ofMillis(300);
    }

    @BeforeEach
    protected final void createTableUnderTest() {
        table = createLeaseTable();
        assertThat(table).as("createLeaseTable() returned null").isNotNull();
    }

    @AfterEach
    protected final void destroyTableUnderTest() throws Exception {
        if (table != null) {
            table.close();
        }
    }

    @Test
    @DisplayName("a lease is held by one node, renewed by it, and free for another once released")
    void heldUntilReleased() {
        ProjectionLeases a = table.node("node-a");
        ProjectionLeases b = table.node("node-b");
        assertThat(a.nodeId()).isEqualTo("node-a");
        assertThat(a.owner("orders")).isEmpty();

        assertThat(a.acquire("orders", LONG)).isTrue();
        assertThat(a.acquire("orders", LONG)).as("renewed by its holder").isTrue();
        assertThat(b.acquire("orders", LONG)).isFalse();
        assertThat(b.owner("orders")).contains("node-a");
        assertThat(a.owner("orders")).contains("node-a");

        b.release("orders");
        assertThat(b.owner("orders")).as("only the holder releases a lease").contains("node-a");
        a.release("orders");
        assertThat(a.owner("orders")).isEmpty();
        assertThat(b.acquire("orders", LONG)).isTrue();
        assertThat(a.owner("orders")).contains("node-b");
    }

    @Test
    @DisplayName("leases of different names are held independently")
    void namesAreIndependent() {
        ProjectionLeases a = table.node("node-a");
        ProjectionLeases b = table.node("node-b");
        assertThat(a.acquire("orders", LONG)).isTrue();
        assertThat(b.acquire("orders#1/3", LONG)).isTrue();
        assertThat(b.acquire("Bestellungen ü.*>", LONG)).isTrue();
        assertThat(a.owner("orders#1/3")).contains("node-b");
        assertThat(b.owner("orders")).contains("node-a");
        assertThat(a.acquire("Bestellungen ü.*>", LONG)).isFalse();
    }

    @Test
    @DisplayName("a lease its holder stops renewing passes to another node, and the former holder cannot renew it")
    void expiredLeasePasses() {
        ProjectionLeases a = table.node("node-a");
        ProjectionLeases b = table.node("node-b");
        assertThat(a.acquire("orders", shortLease())).isTrue();

        Await.until("node-b takes over the lease node-a stopped renewing", () -> b.acquire("orders", LONG),
                () -> "owner " + b.owner("orders"));
        assertThat(a.acquire("orders", LONG)).isFalse();
        assertThat(a.owner("orders")).contains("node-b");
        a.release("orders");
        assertThat(b.owner("orders")).contains("node-b");
    }

    @Test
    @DisplayName("a lease renewed in time stays with its holder")
    void renewedLeaseStays() throws InterruptedException {
        Duration lease = shortLease().multipliedBy(5);
        ProjectionLeases a = table.node("node-a");
        ProjectionLeases b = table.node("node-b");
        assertThat(a.acquire("orders", lease)).isTrue();
        long until = System.nanoTime() + lease.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
            Thread.sleep(lease.toMillis() / 10);
            assertThat(a.acquire("orders", lease)).as("renewed by its holder").isTrue();
            assertThat(b.acquire("orders", lease)).as("taken from a holder that renews it").isFalse();
        }
        assertThat(b.owner("orders")).contains("node-a");
    }

    @Test
    @DisplayName("of nodes racing for a free lease, exactly one gets it")
    void oneWinnerOfARace() {
        AtomicInteger winners = new AtomicInteger();
        ProjectionLeases[] nodes = new ProjectionLeases[8];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = table.node("node-" + i);
        }
        Concurrently.run(nodes.length, worker -> {
            if (nodes[worker].acquire("orders", LONG)) {
                winners.incrementAndGet();
            }
        });
        assertThat(winners.get()).isEqualTo(1);
        assertThat(nodes[0].owner("orders")).isPresent();
    }

    @Test
    @DisplayName("a blank or control-character name and a duration that is not positive are refused")
    void badInput() {
        ProjectionLeases a = table.node("node-a");
        assertThatThrownBy(() -> a.acquire(" ", LONG)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> a.acquire("orders\u0000", LONG)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> a.owner("x".repeat(201))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> a.acquire("orders", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.acquire("orders", Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(a.owner("orders")).isEmpty();
    }
}
