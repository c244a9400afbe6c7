package dev.relato.observe;

import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/** Tells several observers, in order; an observation of it ends theirs in reverse order. */
final class CompositeObserver implements RelatoObserver {
    private final List<RelatoObserver> observers;

    CompositeObserver(List<RelatoObserver> observers) {
        observers.forEach(o -> Objects.requireNonNull(o, "observer must not be null"));
        this.observers = List.copyOf(observers);
    }

    @Override
    public Observation append(String store, StreamId stream, int events) {
        return all(o -> o.append(store, stream, events));
    }

    @Override
    public Observation load(String store, StreamId stream) {
        return all(o -> o.load(store, stream));
    }

    @Override
    public Observation handle(String projection, RecordedEvent event) {
        return all(o -> o.handle(projection, event));
    }

    @Override
    public Observation command(String category, String command) {
        return all(o -> o.command(category, command));
    }

    @Override
    public void batchHandled(String projection, int events, Duration took) {
        each(o -> o.batchHandled(projection, events, took));
    }

    @Override
    public void handlerFailed(String projection, Throwable failure) {
        each(o -> o.handlerFailed(projection, failure));
    }

    @Override
    public void handlerRetried(String projection) {
        each(o -> o.handlerRetried(projection));
    }

    @Override
    public void deadLettered(String projection) {
        each(o -> o.deadLettered(projection));
    }

    @Override
    public void commandAttempts(String category, int attempts) {
        each(o -> o.commandAttempts(category, attempts));
    }

    @Override
    public void snapshotLoaded(String category, boolean hit) {
        each(o -> o.snapshotLoaded(category, hit));
    }

    @Override
    public void writeQueueWait(String store, Duration wait) {
        each(o -> o.writeQueueWait(store, wait));
    }

    @Override
    public void groupCommit(String store, int appends) {
        each(o -> o.groupCommit(store, appends));
    }

    @Override
    public void readersHeldBack(String store, Duration held) {
        each(o -> o.readersHeldBack(store, held));
    }

    @Override
    public void publishRetried(String store) {
        each(o -> o.publishRetried(store));
    }

    private void each(Consumer<RelatoObserver> call) {
        observers.forEach(call);
    }

    private Observation all(Function<RelatoObserver, Observation> start) {
        Observation[] started = new Observation[observers.size()];
        for (int i = 0; i < started.length; i++) {
            started[i] = start.apply(observers.get(i));
        }
        return new Observation() {
            @Override
            public Metadata carry(Metadata metadata) {
                Metadata carried = metadata;
                for (Observation s : started) {
                    carried = s.carry(carried);
                }
                return carried;
            }

            @Override
            public void end(Outcome outcome, int count) {
                for (int i = started.length - 1; i >= 0; i--) {
                    started[i].end(outcome, count);
                }
            }

            @Override
            public void failed(Throwable failure) {
                for (int i = started.length - 1; i >= 0; i--) {
                    started[i].failed(failure);
                }
            }
        };
    }

    @Override
    public String toString() {
        return "RelatoObserver.of" + observers;
    }
}
