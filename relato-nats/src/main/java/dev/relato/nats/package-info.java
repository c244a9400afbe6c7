/**
 * Relato on NATS JetStream, for clustered deployments: {@link dev.relato.nats.NatsEventStore} keeps the
 * events in one JetStream stream (one message per append); beside them, in key-value buckets named after the
 * stream, {@link dev.relato.nats.NatsSnapshotStore}, {@link dev.relato.nats.NatsCheckpointStore},
 * {@link dev.relato.nats.NatsDeadLetterStore} and {@link dev.relato.nats.NatsProjectionLeases} keep snapshots,
 * projection checkpoints, dead letters and leases ({@code store.snapshots()}, {@code checkpoints()},
 * {@code deadLetters()}, {@code leases(node)}). The event store (and a stand-alone snapshot or checkpoint store) is
 * built by a small builder from an existing {@code io.nats.client.Connection} (left open on close) or a server URL
 * (owned and closed), creates what it needs on first use and checks what already exists, reporting a mismatch as
 * {@link dev.relato.nats.NatsConfigurationException}. Reads that need the latest state are answered by the leader
 * of the stream or bucket, and every conditional write is a compare-and-set the leader checks. Event ids are
 * claimed in a key-value bucket before an append publishes, so each is stored at most once; reads fetch messages
 * with gets, never through consumers. Failures follow one allow-list of transient conditions, adjustable with an
 * {@link dev.relato.ErrorClassifier}.
 */
@NullMarked
package dev.relato.nats;

import org.jspecify.annotations.NullMarked;
