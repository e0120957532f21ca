/** The Flyway migrations of the SQLite store (SQL scripts next to {@link db.migration.Migrations}). */
package db.migration;
