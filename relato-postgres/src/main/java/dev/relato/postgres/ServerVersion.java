package dev.relato.postgres;

import dev.relato.RelatoException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The version of the PostgreSQL server, as {@code server_version_num} reports it (140015 for 14.15), and the
 * check that it is one the store supports. Immutable and thread-safe.
 *
 * @param number       {@code server_version_num}
 * @param versionText  {@code server_version}, for messages
 */
record ServerVersion(int number, String versionText) {
    /** The oldest supported major version: the store is tested on 14 and later. */
    static final int MINIMUM = 14;

    /** The version of the server {@code c} is connected to. */
    static ServerVersion of(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int,"
                     + " current_setting('server_version')")) {
            rs.next();
            return new ServerVersion(rs.getInt(1), rs.getString(2));
        }
    }

    /** The major version: 14 for 14.15. */
    int major() {
        return number / 10_000;
    }

    /**
     * @throws RelatoException if the server is older than {@link #MINIMUM}, naming both
     */
    void requireSupported() {
        if (major() < MINIMUM) {
            throw new RelatoException("PostgreSQL " + versionText + " (server_version_num " + number + ") is not"
                    + " supported: Relato needs PostgreSQL " + MINIMUM + " or later");
        }
    }
}
