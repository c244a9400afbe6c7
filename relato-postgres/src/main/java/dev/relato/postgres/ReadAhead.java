package dev.relato.postgres;

import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.spi.LogReader;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The threads that read pages of the log ahead of the consumers of {@link PostgresEventStore#readAll}, and the
 * streams that use them.
 *
 * <p>A stream reads its first page on the consumer's thread, when the consumer first asks for an event. Then one of
 * these threads reads the pages after it, one after the other (each after the last position of the one before, with
 * the same filter, below the visible bound of the moment it is read), while the consumer works through the pages
 * before: the database sends the next page while the consumer decodes this one. At most two pages wait for the
 * consumer, so a stream holds at most four pages (the consumer's, two waiting, one being read). When every thread is
 * busy, or the store is closed, the consumer reads the next page itself once it reaches it, as it would without
 * read-ahead. A read ahead that fails throws its failure on the consumer's thread once the consumer has taken the
 * pages before it; the consumer's next call reads that page again. Closing a stream drops its pages read ahead.
 *
 * <p>Threads are daemons, started when needed, at most {@value #MAX_THREADS}, and end after
 * {@value #IDLE_SECONDS} s without work. Thread-safe.
 */
final class ReadAhead {
    /** Streams read ahead at once; more streams read their pages on their consumers' threads. */
    static final int MAX_THREADS = 8;
    private static final int IDLE_SECONDS = 10;

    private final ThreadPoolExecutor threads;

    /** @param name the threads' name, followed by a number */
    ReadAhead(String name) {
        AtomicInteger started = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(0, MAX_THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), task -> {
                    Thread thread = new Thread(task, name + "-" + started.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /**
     * The events {@code read} asks for, as a lazy stream over pages of {@code read.batchSize()} events read by
     * {@code reader}, each page read ahead of the consumer.
     */
    Stream<RecordedEvent> stream(LogReader reader, GlobalRead read) {
        Pages pages = new Pages(reader, read);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false).onClose(pages::close);
    }

    /** Lets running reads finish and starts no more; streams still open read on their consumers' threads. */
    void close() {
        threads.shutdown();
    }

    /**
     * One stream's pages: the one being consumed, and up to {@value #READY} more read ahead by a task that reads
     * page after page while fewer than that are waiting (so that, while the consumer keeps up, the database is never
     * idle between pages), and ends when they are, when the log has nothing more visible, or when the stream is
     * closed. The consumer starts it again as it takes a page.
     */
    private final class Pages implements Iterator<RecordedEvent> {
        /** Pages read ahead and not yet taken, at most. */
        private static final int READY = 2;

        private final LogReader reader;
        private final GlobalRead read;
        private List<RecordedEvent> page = List.of();
        private int next;
        // guarded by this
        private final ArrayDeque<List<RecordedEvent>> ready = new ArrayDeque<>(READY);
        /** The position after which the next page to read starts. */
        private long after;
        /** Events still to be read: the read's limit minus the pages read. */
        private long remaining;
        /** Whether the last page read was short: the log has nothing more visible now. */
        private boolean exhausted;
        private boolean reading;
        private boolean closed;
        /** The failure of the read ahead that came after the ready pages, thrown when the consumer reaches it. */
        private RuntimeException failure;

        Pages(LogReader reader, GlobalRead read) {
            this.reader = reader;
            this.read = read;
            this.after = read.afterPosition();
            this.remaining = read.limit();
        }

        @Override
        public boolean hasNext() {
            if (next < page.size()) {
                return true;
            }
            List<RecordedEvent> taken = take();
            if (taken == null) {
                return false;
            }
            page = taken;
            next = 0;
            return next < page.size();
        }

        @Override
        public RecordedEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return page.get(next++);
        }

        /**
         * The next page: one read ahead (waiting for the read under way if there is none yet), or else one read
         * here; null at the end.
         */
        private List<RecordedEvent> take() {
            long from;
            int max;
            synchronized (this) {
                boolean interrupted = false;
                while (ready.isEmpty() && reading) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true; // a read on this thread would not give in either
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                if (!ready.isEmpty()) {
                    List<RecordedEvent> taken = ready.removeFirst();
                    startReading();
                    return taken;
                }
                if (failure != null) {
                    RuntimeException thrown = failure;
                    failure = null; // the next call reads again
                    throw thrown;
                }
                if (closed || exhausted || remaining <= 0) {
                    return null;
                }
                from = after;
                max = pageSize();
            }
            List<RecordedEvent> taken = reader.readPage(from, read.filter(), max);
            synchronized (this) {
                advance(taken, max);
                startReading();
            }
            return taken;
        }

        /** The size of the next page: a whole batch, or what is left of the read's limit. */
        private int pageSize() {
            return (int) Math.min(read.batchSize(), remaining);
        }

        /** Moves past a page just read. */
        private void advance(List<RecordedEvent> taken, int max) {
            remaining -= taken.size();
            exhausted = taken.size() < max;
            if (!taken.isEmpty()) {
                after = taken.get(taken.size() - 1).position();
            }
        }

        /** Whether a page is to be read ahead now. */
        private boolean wanted() {
            return !closed && !exhausted && remaining > 0 && failure == null && ready.size() < READY;
        }

        /** Starts the task that reads ahead, unless it runs or is not wanted; holding this object's lock. */
        private void startReading() {
            if (reading || !wanted()) {
                return;
            }
            try {
                threads.execute(this::readAhead);
                reading = true;
            } catch (RejectedExecutionException e) {
                // every thread is busy, or the store is closed: the consumer reads the page when it reaches it
            }
        }

        /** The task: reads pages while they are wanted. */
        private void readAhead() {
            try {
                while (true) {
                    long from;
                    int max;
                    synchronized (this) {
                        if (!wanted()) {
                            return;
                        }
                        from = after;
                        max = pageSize();
                    }
                    List<RecordedEvent> taken;
                    try {
                        taken = reader.readPage(from, read.filter(), max);
                    } catch (RuntimeException e) {
                        synchronized (this) {
                            failure = e;
                        }
                        return;
                    }
                    synchronized (this) {
                        if (closed) {
                            return;
                        }
                        advance(taken, max);
                        ready.addLast(taken);
                        notifyAll();
                    }
                }
            } finally {
                synchronized (this) {
                    reading = false;
                    notifyAll();
                }
            }
        }

        /** Drops the pages read ahead; a read under way ends by itself and its page is dropped. */
        synchronized void close() {
            closed = true;
            ready.clear();
            page = List.of();
            next = 0;
        }
    }
}
