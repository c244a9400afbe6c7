/** The PostgreSQL event store, with its snapshot, checkpoint, dead-letter and lease stores and migrations. */
@SuppressWarnings("requires-automatic") // the PostgreSQL driver is an automatic module (Automatic-Module-Name)
module dev.relato.postgres {
    requires transitive dev.relato.core;
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires org.slf4j;
    requires static org.jspecify;

    exports dev.relato.postgres;
}
