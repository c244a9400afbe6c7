/**
 * The contract suite (TCK) every Relato backend runs: abstract JUnit 5 test classes that a backend
 * extends with one small subclass saying how to make a fresh, empty, isolated store.
 *
 * <ul>
 *   <li>{@link dev.relato.test.contract.EventStoreContract}: implement {@code createStore()}; override
 *       {@code destroyStore(EventStore)} to drop what the store created (default: close it). The suite
 *       takes the store's limits from the store ({@code EventStore.maxEventBytes()}).</li>
 *   <li>{@link dev.relato.test.contract.SnapshotStoreContract}: implement {@code createSnapshotStore()};
 *       optionally {@code destroySnapshotStore(SnapshotStore)}.</li>
 *   <li>{@link dev.relato.test.contract.CheckpointStoreContract}: implement {@code createCheckpointStore()};
 *       optionally {@code destroyCheckpointStore(CheckpointStore)}.</li>
 *   <li>{@link dev.relato.test.contract.DeadLetterStoreContract}: implement {@code createDeadLetterStore()};
 *       optionally {@code destroyDeadLetterStore(DeadLetterStore)}.</li>
 *   <li>{@link dev.relato.test.contract.ProjectionLeasesContract}: implement {@code createLeaseTable()}, which
 *       makes the nodes of one table of leases and drops it on close; optionally {@code shortLease()}.</li>
 *   <li>{@link dev.relato.test.contract.StreamOperationsContract}: implement {@code createStore()} with a store
 *       that also implements {@code StreamOperations} and {@code StoreCompanions}; optionally
 *       {@code destroyStore(EventStore)}.</li>
 *   <li>{@link dev.relato.test.contract.DataKeyStoreContract}: implement {@code createKeyStore()}; optionally
 *       {@code destroyKeyStore(DataKeyStore)}.</li>
 *   <li>{@link dev.relato.test.contract.PersonalDataContract}: implement {@code createStore()},
 *       {@code keyStore(EventStore)} (the data keys beside the events), {@code snapshots(EventStore)} and
 *       {@code rawContents(EventStore)} (what the backend stored, as text, to prove no plain text of personal
 *       fields is in it).</li>
 * </ul>
 *
 * <p>Each factory method is called before every test, and its destroy hook after every test. The suites
 * never assert on timings: waits are bounded (30 seconds) only so that a broken backend fails instead of
 * hanging.
 */
@NullMarked
package dev.relato.test.contract;

import org.jspecify.annotations.NullMarked;
