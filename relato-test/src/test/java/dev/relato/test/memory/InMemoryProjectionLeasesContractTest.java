package dev.relato.test.memory;

import dev.relato.projection.InMemoryProjectionLeases;
import dev.relato.test.contract.ProjectionLeasesContract;
import java.time.Clock;

class InMemoryProjectionLeasesContractTest extends ProjectionLeasesContract {

    @Override
    protected LeaseTable createLeaseTable() {
        return InMemoryProjectionLeases.table(Clock.systemUTC())::node;
    }
}
