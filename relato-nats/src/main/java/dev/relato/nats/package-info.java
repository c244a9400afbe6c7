/**
 * Relato on NATS JetStream, for clustered deployments: {@link dev.relato.nats.NatsEventStore} keeps the
 * events in one JetStream stream (one message per append), {@link dev.relato.nats.NatsSnapshotStore} and
 * {@link dev.relato.nats.NatsCheckpointStore} keep snapshots and projection checkpoints in key-value
 * buckets. Each is built by a small builder from an existing {@code io.nats.client.Connection} (left open on
 * close) or a server URL (owned and closed), creates what it needs on first use and checks what already
 * exists, reporting a mismatch as {@link dev.relato.nats.NatsConfigurationException}. Event ids are claimed in a
 * key-value bucket before an append publishes, so each is stored at most once; reads fetch messages with gets,
 * never through consumers. Failures follow one allow-list of transient conditions, adjustable with an
 * {@link dev.relato.ErrorClassifier}.
 */
@NullMarked
package dev.relato.nats;

import org.jspecify.annotations.NullMarked;
