/**
 * The SQLite store adapter: {@link io.chatapi.adapters.sqlite.SqliteDatabase} owns the file, the single
 * group-commit writer thread and the reader pool; the {@code Sqlite*Store} classes implement the store ports
 * on top of it. All database calls run on platform threads, never on the caller's (often virtual) thread.
 */
package io.chatapi.adapters.sqlite;
