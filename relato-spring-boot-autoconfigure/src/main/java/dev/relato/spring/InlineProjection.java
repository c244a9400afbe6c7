package dev.relato.spring;

import dev.relato.projection.Projection;
import java.sql.Connection;
import java.util.Objects;

/**
 * A projection declared as a bean to run inline: in the transaction of each append whose events it handles, on the
 * same {@link Connection} (SQLite and PostgreSQL only; start-up fails on the other stores). When its handler throws,
 * the append and the caller's transaction roll back. A {@link Projection} bean not wrapped in this runs
 * asynchronously under {@link RelatoProjections}.
 *
 * @param projection the projection; its handlers write through the append's connection
 */
public record InlineProjection(Projection<Connection> projection) {
    public InlineProjection {
        Objects.requireNonNull(projection, "projection");
    }

    public static InlineProjection of(Projection<Connection> projection) {
        return new InlineProjection(projection);
    }
}
