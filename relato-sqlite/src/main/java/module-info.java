/** The embedded event store: streams, the global log, snapshots and checkpoints in one SQLite file. */
module dev.relato.sqlite {
    requires transitive dev.relato.core;
    requires transitive java.sql;
    requires org.xerial.sqlitejdbc;
    requires org.slf4j;
    requires static org.jspecify;

    exports dev.relato.sqlite;
}
