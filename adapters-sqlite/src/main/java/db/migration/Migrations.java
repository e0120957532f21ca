package db.migration;

/**
 * Anchors the migration scripts' package, which the module opens so Flyway can read the scripts on the
 * module path as well as on the class path.
 */
public final class Migrations {
    /** Where Flyway looks for the scripts. */
    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {
    }
}
