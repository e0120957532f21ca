package io.chatapi.adapters.sqlite;

import io.chatapi.application.contract.PresenceStoreContract;
import io.chatapi.application.contract.Stores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqlitePresenceStoreTest extends PresenceStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores() {
        return TestDatabases.stores(dir);
    }
}
