/**
 * The PostgreSQL backend of Relato: {@link dev.relato.postgres.PostgresEventStore} (the event store),
 * {@link dev.relato.postgres.PostgresSnapshotStore}, {@link dev.relato.postgres.PostgresCheckpointStore}, and
 * {@link dev.relato.postgres.PostgresSchema} (schema name, table prefix and versioned migrations).
 *
 * <p>Projections: {@link dev.relato.postgres.PostgresProjectingEventStore} runs inline projections in the
 * append's transaction; {@link dev.relato.postgres.PostgresProjectionTransactions} commits an asynchronous
 * runner's batches with their checkpoint (exactly once), fenced by
 * {@link dev.relato.postgres.PostgresProjectionLeases} when several nodes share the work;
 * {@link dev.relato.postgres.PostgresDeadLetterStore} keeps the events projections skipped.
 *
 * <p>Requires PostgreSQL 14 or later; {@link dev.relato.postgres.PostgresSchema#migrate} refuses older servers. Every class takes a
 * {@link javax.sql.DataSource} the application creates and closes; this module ships no connection pool and
 * has no dependency besides relato-core and the PostgreSQL JDBC driver. Use any pool (HikariCP is a good
 * choice) with auto-commit on by default; Relato sets the mode it needs per operation and restores it.
 */
@NullMarked
package dev.relato.postgres;

import org.jspecify.annotations.NullMarked;
