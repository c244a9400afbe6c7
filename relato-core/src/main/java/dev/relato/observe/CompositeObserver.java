package dev.relato.observe;

import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Tells several observers, in order; an observation of it ends theirs in reverse order. */
final class CompositeObserver implements RelatoObserver {
    /** The observers, in order: an array, so that telling them allocates nothing and takes no lambda. */
    private final RelatoObserver[] observers;

    CompositeObserver(List<RelatoObserver> observers) {
        observers.forEach(o -> Objects.requireNonNull(o, "observer must not be null"));
        this.observers = observers.toArray(new RelatoObserver[0]);
    }

    @Override
    public Observation append(String store, StreamId stream, int events) {
        Observation[] started = new Observation[observers.length];
        for (int i = 0; i < started.length; i++) {
            started[i] = observers[i].append(store, stream, events);
        }
        return all(started);
    }

    @Override
    public Observation load(String store, StreamId stream) {
        Observation[] started = new Observation[observers.length];
        for (int i = 0; i < started.length; i++) {
            started[i] = observers[i].load(store, stream);
        }
        return all(started);
    }

    @Override
    public Observation handle(String projection, RecordedEvent event) {
        Observation[] started = new Observation[observers.length];
        for (int i = 0; i < started.length; i++) {
            started[i] = observers[i].handle(projection, event);
        }
        return all(started);
    }

    @Override
    public Observation command(String category, String command) {
        Observation[] started = new Observation[observers.length];
        for (int i = 0; i < started.length; i++) {
            started[i] = observers[i].command(category, command);
        }
        return all(started);
    }

    @Override
    public void batchHandled(String projection, int events, Duration took) {
        for (RelatoObserver o : observers) {
            o.batchHandled(projection, events, took);
        }
    }

    @Override
    public void handlerFailed(String projection, Throwable failure) {
        for (RelatoObserver o : observers) {
            o.handlerFailed(projection, failure);
        }
    }

    @Override
    public void handlerRetried(String projection) {
        for (RelatoObserver o : observers) {
            o.handlerRetried(projection);
        }
    }

    @Override
    public void deadLettered(String projection) {
        for (RelatoObserver o : observers) {
            o.deadLettered(projection);
        }
    }

    @Override
    public void commandAttempts(String category, int attempts) {
        for (RelatoObserver o : observers) {
            o.commandAttempts(category, attempts);
        }
    }

    @Override
    public void snapshotLoaded(String category, boolean hit) {
        for (RelatoObserver o : observers) {
            o.snapshotLoaded(category, hit);
        }
    }

    @Override
    public void writeQueueWait(String store, Duration wait) {
        for (RelatoObserver o : observers) {
            o.writeQueueWait(store, wait);
        }
    }

    @Override
    public void groupCommit(String store, int appends) {
        for (RelatoObserver o : observers) {
            o.groupCommit(store, appends);
        }
    }

    @Override
    public void readersHeldBack(String store, Duration held) {
        for (RelatoObserver o : observers) {
            o.readersHeldBack(store, held);
        }
    }

    @Override
    public void publishRetried(String store) {
        for (RelatoObserver o : observers) {
            o.publishRetried(store);
        }
    }

    /** One observation of the observations {@code started}, in the observers' order. */
    private static Observation all(Observation[] started) {
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
        return "RelatoObserver.of" + Arrays.toString(observers);
    }
}
