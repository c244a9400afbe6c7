package dev.relato.support;

import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.observe.RelatoObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An observer that counts what it is told, under keys such as {@code "append:memory:Order:succeeded"}. */
public final class CountingObserver implements RelatoObserver {
    public final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    public final List<Integer> attempts = new CopyOnWriteArrayList<>();

    public int count(String key) {
        AtomicInteger n = counts.get(key);
        return n == null ? 0 : n.get();
    }

    private void add(String key, int amount) {
        counts.computeIfAbsent(key, k -> new AtomicInteger()).addAndGet(amount);
    }

    private Observation counted(String prefix) {
        return new Observation() {
            @Override
            public Metadata carry(Metadata metadata) {
                return metadata.with("observed", prefix);
            }

            @Override
            public void end(Outcome outcome, int count) {
                add(prefix + ":" + outcome.tag(), 1);
                add(prefix + ":events", count);
            }
        };
    }

    @Override
    public Observation append(String store, StreamId stream, int events) {
        return counted("append:" + store + ":" + stream.category());
    }

    @Override
    public Observation load(String store, StreamId stream) {
        return counted("load:" + store + ":" + stream.category());
    }

    @Override
    public Observation handle(String projection, RecordedEvent event) {
        return counted("handle:" + projection);
    }

    @Override
    public void batchHandled(String projection, int events, Duration took) {
        add("batch:" + projection, events);
    }

    @Override
    public void handlerFailed(String projection, Throwable failure) {
        add("failed:" + projection, 1);
    }

    @Override
    public void handlerRetried(String projection) {
        add("retried:" + projection, 1);
    }

    @Override
    public void deadLettered(String projection) {
        add("deadLettered:" + projection, 1);
    }

    @Override
    public void commandAttempts(String category, int attempts) {
        this.attempts.add(attempts);
    }

    @Override
    public void snapshotLoaded(String category, boolean hit) {
        add("snapshot:" + category + ":" + hit, 1);
    }
}
