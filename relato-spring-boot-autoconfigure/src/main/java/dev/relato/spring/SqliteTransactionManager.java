package dev.relato.spring;

import dev.relato.sqlite.SqliteEventStore;
import dev.relato.sqlite.SqliteTransaction;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.CallbackPreferringPlatformTransactionManager;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Spring transactions on the SQLite store: {@code @Transactional} methods and {@link
 * org.springframework.transaction.support.TransactionTemplate} run in the store's write transaction
 * ({@link SqliteEventStore#callInTransaction}), so the application's appends (through the {@code EventStore} and
 * repository beans) and its own SQL on {@link #currentTransaction()}{@code .connection()} commit together, or roll
 * back together when the method throws or marks the transaction rollback-only.
 *
 * <p>Propagation: {@code REQUIRED} (the default) and {@code MANDATORY} join a transaction in progress,
 * {@code SUPPORTS}, {@code NOT_SUPPORTED} and {@code NEVER} run without one when there is none; {@code REQUIRES_NEW}
 * and {@code NESTED} inside a transaction, and {@code NEVER} inside one, throw
 * {@link IllegalTransactionStateException} (SQLite has one writer at a time). Isolation is always serializable;
 * timeouts are not applied. Only the callback style is offered, as {@code @Transactional} and
 * {@code TransactionTemplate} use it: {@link #getTransaction}, {@link #commit} and {@link #rollback} throw
 * {@link UnsupportedOperationException}. Thread-safe.
 */
public final class SqliteTransactionManager implements CallbackPreferringPlatformTransactionManager {
    private final SqliteEventStore store;

    /** Transactions on {@code store}. */
    public SqliteTransactionManager(SqliteEventStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** The SQLite transaction this thread runs in through this manager, if any. */
    public Optional<SqliteTransaction> currentTransaction() {
        return Optional.ofNullable(bound()).map(h -> h.transaction);
    }

    @Override
    public <T> @Nullable T execute(@Nullable TransactionDefinition definition, TransactionCallback<T> callback)
            throws TransactionException {
        int propagation = definition == null ? TransactionDefinition.PROPAGATION_REQUIRED
                : definition.getPropagationBehavior();
        Holder existing = bound();
        if (existing != null) {
            switch (propagation) {
                case TransactionDefinition.PROPAGATION_REQUIRES_NEW, TransactionDefinition.PROPAGATION_NESTED,
                        TransactionDefinition.PROPAGATION_NEVER, TransactionDefinition.PROPAGATION_NOT_SUPPORTED ->
                        throw new IllegalTransactionStateException("propagation " + propagation + " inside a SQLite"
                                + " transaction: SQLite has one writer at a time, so a transaction cannot be suspended"
                                + " or nested");
                default -> {
                    SimpleTransactionStatus status = new SimpleTransactionStatus(false);
                    T result = callback.doInTransaction(status);
                    if (status.isRollbackOnly()) {
                        existing.rollbackOnly = true;
                    }
                    return result;
                }
            }
        }
        switch (propagation) {
            case TransactionDefinition.PROPAGATION_MANDATORY -> throw new IllegalTransactionStateException(
                    "propagation MANDATORY: no SQLite transaction in progress");
            case TransactionDefinition.PROPAGATION_SUPPORTS, TransactionDefinition.PROPAGATION_NOT_SUPPORTED,
                    TransactionDefinition.PROPAGATION_NEVER -> {
                return callback.doInTransaction(new SimpleTransactionStatus(false));
            }
            default -> {
                return inNewTransaction(callback);
            }
        }
    }

    private <T> @Nullable T inNewTransaction(TransactionCallback<T> callback) {
        try {
            return store.callInTransaction(tx -> {
                Holder holder = new Holder(tx);
                TransactionSynchronizationManager.bindResource(store, holder);
                TransactionSynchronizationManager.setActualTransactionActive(true);
                try {
                    SimpleTransactionStatus status = new SimpleTransactionStatus(true);
                    T result = callback.doInTransaction(status);
                    if (status.isRollbackOnly() || holder.rollbackOnly) {
                        throw new RolledBack(result);
                    }
                    return result;
                } finally {
                    TransactionSynchronizationManager.setActualTransactionActive(false);
                    TransactionSynchronizationManager.unbindResource(store);
                }
            });
        } catch (RolledBack rolledBack) {
            @SuppressWarnings("unchecked")
            T result = (T) rolledBack.result;
            return result;
        }
    }

    private @Nullable Holder bound() {
        return (Holder) TransactionSynchronizationManager.getResource(store);
    }

    @Override
    public TransactionStatus getTransaction(@Nullable TransactionDefinition definition) {
        throw new UnsupportedOperationException("SQLite transactions run through TransactionTemplate or @Transactional");
    }

    @Override
    public void commit(TransactionStatus status) {
        throw new UnsupportedOperationException("SQLite transactions run through TransactionTemplate or @Transactional");
    }

    @Override
    public void rollback(TransactionStatus status) {
        throw new UnsupportedOperationException("SQLite transactions run through TransactionTemplate or @Transactional");
    }

    @Override
    public String toString() {
        return "SqliteTransactionManager[" + store + "]";
    }

    /** The transaction bound to a thread. Confined to that thread. */
    private static final class Holder {
        final SqliteTransaction transaction;
        boolean rollbackOnly;

        Holder(SqliteTransaction transaction) {
            this.transaction = transaction;
        }
    }

    /** Rolls the store's transaction back when the work asked for it without throwing; carries its result. */
    private static final class RolledBack extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient @Nullable Object result;

        RolledBack(@Nullable Object result) {
            super("rollback-only", null, false, false);
            this.result = result;
        }
    }
}
