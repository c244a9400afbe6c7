package dev.relato.cli.console;

import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the events appended since the console started, per {@value #BUCKET_SECONDS}-second bucket over the last
 * {@value #BUCKETS} buckets, on a thread of its own that reads the log from its head on. Thread-safe.
 */
final class EventRate implements AutoCloseable {
    static final int BUCKET_SECONDS = 10;
    static final int BUCKETS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(EventRate.class);

    private final EventStore store;
    private final Clock clock;
    private final Deque<long[]> buckets = new ArrayDeque<>(); // {bucket start epoch second, count}; guarded by this
    private final Thread thread;
    private volatile boolean closed;

    EventRate(EventStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.thread = new Thread(this::run, "relato-console-rate");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Events per bucket, oldest first, ending with the current one: {bucket start epoch second, count}. */
    synchronized List<long[]> buckets() {
        long now = bucketOf(clock.instant().getEpochSecond());
        List<long[]> out = new ArrayList<>();
        for (long start = now - (long) (BUCKETS - 1) * BUCKET_SECONDS; start <= now; start += BUCKET_SECONDS) {
            long count = 0;
            for (long[] b : buckets) {
                if (b[0] == start) {
                    count = b[1];
                }
            }
            out.add(new long[] {start, count});
        }
        return out;
    }

    private synchronized void count(long epochSecond) {
        long start = bucketOf(epochSecond);
        long[] last = buckets.peekLast();
        if (last != null && last[0] == start) {
            last[1]++;
        } else {
            buckets.addLast(new long[] {start, 1});
            while (buckets.size() > BUCKETS) {
                buckets.removeFirst();
            }
        }
    }

    private static long bucketOf(long epochSecond) {
        return epochSecond - Math.floorMod(epochSecond, BUCKET_SECONDS);
    }

    private void run() {
        long after;
        try {
            after = store.headPosition();
        } catch (RuntimeException e) {
            LOG.warn("the event rate is not counted: the head of the log cannot be read: {}", e.getMessage());
            return;
        }
        while (!closed) {
            try {
                try (Stream<RecordedEvent> events = store.readAll(GlobalRead.after(after))) {
                    var it = events.iterator();
                    while (it.hasNext() && !closed) {
                        RecordedEvent e = it.next();
                        count(Math.min(clock.instant().getEpochSecond(), e.recordedAt().getEpochSecond()));
                        after = e.position();
                    }
                }
                store.awaitHead(after, Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("counting the event rate failed, trying again in 5 s: {}", e.getMessage());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
