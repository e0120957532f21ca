/** The SQLite store: one writer thread with group commit, a reader pool, Flyway migrations. */
module io.chatapi.adapters.sqlite {
    requires io.chatapi.application;
    requires org.jdbi.v3.core;
    requires org.xerial.sqlitejdbc;
    requires flyway.core;
    requires java.sql;

    exports io.chatapi.adapters.sqlite to io.chatapi.bootstrap;

    opens db.migration;
}
