/**
 * The embedded event store: streams, the global log, snapshots and checkpoints in one SQLite file, the default
 * backend for a single process. Start at {@link dev.relato.sqlite.SqliteEventStore}; its
 * {@link dev.relato.sqlite.SqliteEventStore#snapshots() snapshots()} and
 * {@link dev.relato.sqlite.SqliteEventStore#checkpoints() checkpoints()} share its file and connections, and
 * {@link dev.relato.sqlite.SqliteEventStore#inTransaction(SqliteTransaction.Work) inTransaction} lets a read model
 * in the same file change atomically with an append.
 *
 * <p>Projections: {@link dev.relato.sqlite.SqliteProjectingEventStore} runs inline projections in the append's
 * transaction; {@link dev.relato.sqlite.SqliteProjectionTransactions} commits an asynchronous runner's batches
 * with their checkpoint (exactly once); {@link dev.relato.sqlite.SqliteDeadLetterStore} keeps the events
 * projections skipped, in the same file.
 */
@NullMarked
package dev.relato.sqlite;

import org.jspecify.annotations.NullMarked;
