package dev.relato.test.contract;

import dev.relato.process.Deadline;
import dev.relato.process.DeadlineStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A deadline store that hands every call to another; the suites override the calls they watch or break. */
class ForwardingDeadlineStore implements DeadlineStore {
    private final DeadlineStore delegate;

    ForwardingDeadlineStore(DeadlineStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void schedule(Deadline deadline) {
        delegate.schedule(deadline);
    }

    @Override
    public boolean cancel(UUID id) {
        return delegate.cancel(id);
    }

    @Override
    public Optional<Deadline> find(UUID id) {
        return delegate.find(id);
    }

    @Override
    public List<Deadline> due(String process, Instant now, int limit) {
        return delegate.due(process, now, limit);
    }

    @Override
    public boolean remove(Deadline deadline) {
        return delegate.remove(deadline);
    }
}
