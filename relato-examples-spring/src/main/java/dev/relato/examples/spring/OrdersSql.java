package dev.relato.examples.spring;

import java.sql.Connection;
import java.sql.SQLException;

/** SQL on the store's database, in a transaction of its own or in the caller's Spring transaction. */
@FunctionalInterface
interface OrdersSql {
    <T> T call(Work<T> work);

    /** SQL on a connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
