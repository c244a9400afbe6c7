package dev.relato.postgres;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Column values decoded from what the driver received: once the driver prepares a statement on the server it
 * receives {@code timestamptz} and {@code uuid} columns in PostgreSQL's binary format, which
 * {@link ResultSet#getBytes} hands over as they came, and these are decoded here at less cost than the driver's
 * conversions. Anything else is left to the driver. Stateless.
 */
final class Columns {
    /** Seconds from the Unix epoch to PostgreSQL's, 2000-01-01 UTC. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;
    /**
     * The binary times decoded here, in microseconds since PostgreSQL's epoch: years 1 to 9999, all a store keeps.
     * Eight bytes outside (the infinities, or the text "infinity") go to the driver.
     */
    private static final long EARLIEST_MICROS = micros(Instant.parse("0001-01-01T00:00:00Z"));
    private static final long LATEST_MICROS = micros(Instant.parse("9999-12-31T23:59:59.999999Z"));

    private Columns() {
    }

    /**
     * The time in a {@code timestamptz} column, or null. Once the driver prepares a statement on the server it
     * receives such columns in PostgreSQL's binary format, which {@link ResultSet#getBytes} hands over as they
     * came: 8 bytes, microseconds since 2000-01-01 UTC. These are decoded here, at less cost than the driver's
     * {@link OffsetDateTime}. The text format (before that, or with binary transfer off) and times outside years 1
     * to 9999 are left to the driver.
     */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        byte[] raw = rs.getBytes(column);
        if (raw == null) {
            return null;
        }
        if (raw.length == Long.BYTES) {
            long micros = bigEndian(raw, 0);
            if (micros >= EARLIEST_MICROS && micros <= LATEST_MICROS) {
                return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L) + POSTGRES_EPOCH_SECONDS,
                        Math.floorMod(micros, 1_000_000L) * 1_000L);
            }
        }
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /**
     * The {@code uuid} in a column, or null: decoded from its 16 bytes when the driver receives it in binary (as for
     * {@link #instant}), else converted by the driver.
     */
    static UUID uuid(ResultSet rs, int column) throws SQLException {
        byte[] raw = rs.getBytes(column);
        if (raw == null) {
            return null;
        }
        if (raw.length == 2 * Long.BYTES) {
            return new UUID(bigEndian(raw, 0), bigEndian(raw, Long.BYTES));
        }
        return rs.getObject(column, UUID.class);
    }

    /** The 8 bytes from {@code at} as a big-endian long. */
    private static long bigEndian(byte[] bytes, int at) {
        long value = 0;
        for (int i = at; i < at + Long.BYTES; i++) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        return value;
    }

    private static long micros(Instant instant) {
        return (instant.getEpochSecond() - POSTGRES_EPOCH_SECONDS) * 1_000_000L + instant.getNano() / 1_000L;
    }
}
