package dev.relato.test.contract;

import dev.relato.EventStore;
import dev.relato.command.CommandBus;
import dev.relato.process.Deadline;
import dev.relato.process.DeadlineStore;
import dev.relato.process.ProcessEngine;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.ProjectionLeases;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionStatus;
import dev.relato.test.contract.ShopWorkflow.Fulfilment;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import java.util.UUID;

/**
 * The body of a process of the process crash suite ({@link ProcessCrashContract}): it runs the suite's fulfilment
 * workflow on a store that a store module's {@code main} opened, in one of two ways.
 *
 * <ul>
 *   <li>By default, on its main thread: it catches up with the log, fires the deadlines due, and repeats until
 *       there is nothing left to do, then prints {@code done <writes>} and returns.</li>
 *   <li>With {@code --serve}: a runner holding the store's lease ({@code --lease}, default PT2S) handles events
 *       while the main thread fires due deadlines every 50 ms, until its standard input ends.</li>
 * </ul>
 *
 * <p>Every write the workflow makes beside its own steps (a deadline scheduled, cancelled or removed, a command
 * sent, a checkpoint saved) counts; with {@code --crash-before n} the process prints {@code crash-point n <write>}
 * right before the n-th and then writes nothing more, waiting to be killed. {@code --clock-offset} moves its clock
 * (an ISO-8601 duration), so that deadlines fall due. It prints {@code ready} once it runs.
 *
 * <p>Not thread-safe; one call per process.
 */
public final class WorkflowNode {
    private final int crashBefore;
    private int writes;
    private boolean crashed;

    private WorkflowNode(int crashBefore) {
        this.crashBefore = crashBefore;
    }

    /**
     * Runs the workflow on {@code store} with its companions, as {@code options} say; returns when done (without
     * {@code --serve}) or when standard input ends (with it).
     */
    public static void run(EventStore store, DeadlineStore deadlines, CheckpointStore checkpoints,
                           ProjectionLeases leases, List<String> options) throws Exception {
        WorkflowNode node = new WorkflowNode(Integer.parseInt(option(options, "--crash-before", "0")));
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.parse(option(options, "--clock-offset", "PT0S")));
        CommandBus bus = ShopWorkflow.bus(store).middleware((command, next) -> {
            node.write("send " + command.body());
            return next.proceed(command);
        }).build();
        ProcessEngine<Fulfilment> engine = ProcessEngine.builder(ShopWorkflow.FULFILMENT, store,
                ShopWorkflow.SERIALIZER, bus, node.counting(deadlines)).clock(clock).build();
        ProjectionRunner.Builder<ProcessEngine<Fulfilment>> runner = engine.runner(node.counting(checkpoints))
                .batchSize(2).pollInterval(Duration.ofMillis(100));
        System.out.println("ready");
        if (options.contains("--serve")) {
            serve(engine, runner.leases(leases, Duration.parse(option(options, "--lease", "PT2S"))));
            return;
        }
        int fired;
        do {
            ProjectionStatus status = runner.catchUp();
            if (status.state() != ProjectionState.STOPPED) {
                throw new IllegalStateException("the workflow's runner ended " + status);
            }
            fired = engine.fireDueDeadlines();
        } while (fired > 0);
        System.out.println("done " + node.writes);
    }

    private static void serve(ProcessEngine<Fulfilment> engine,
                              ProjectionRunner.Builder<ProcessEngine<Fulfilment>> runner) throws Exception {
        Thread deadlineLoop = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    engine.fireDueDeadlines();
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    System.err.println("firing deadlines failed: " + e);
                }
            }
        }, "deadlines");
        try (ProjectionRunner<ProcessEngine<Fulfilment>> running = runner.start()) {
            deadlineLoop.start();
            InputStream in = System.in;
            while (in.read() >= 0) {
                continue;
            }
            deadlineLoop.interrupt();
            deadlineLoop.join();
        } catch (IOException e) {
            deadlineLoop.interrupt();
            throw e;
        }
    }

    private static String option(List<String> options, String name, String otherwise) {
        int at = options.indexOf(name);
        return at < 0 ? otherwise : options.get(at + 1);
    }

    /** Counts a write about to be made; at the crash point (and after it) writes nothing more, ever. */
    private synchronized void write(String what) {
        writes++;
        if (writes == crashBefore) {
            crashed = true;
            System.out.println("crash-point " + writes + " " + what);
            System.out.flush();
        }
        while (crashed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted at the crash point", e);
            }
        }
    }

    private DeadlineStore counting(DeadlineStore delegate) {
        return new ForwardingDeadlineStore(delegate) {
            @Override
            public void schedule(Deadline deadline) {
                write("schedule " + deadline);
                super.schedule(deadline);
            }

            @Override
            public boolean cancel(UUID id) {
                write("cancel " + id);
                return super.cancel(id);
            }

            @Override
            public boolean remove(Deadline deadline) {
                write("remove " + deadline);
                return super.remove(deadline);
            }
        };
    }

    private CheckpointStore counting(CheckpointStore delegate) {
        return new CheckpointStore() {
            @Override
            public long load(String consumer) {
                return delegate.load(consumer);
            }

            @Override
            public void save(String consumer, long position) {
                write("checkpoint " + position);
                delegate.save(consumer, position);
            }

            @Override
            public void delete(String consumer) {
                delegate.delete(consumer);
            }

            @Override
            public SortedMap<String, Long> loadAll() {
                return delegate.loadAll();
            }
        };
    }
}
