package io.chatapi.adapters.sqlite;

import io.chatapi.application.contract.RoomStoreContract;
import io.chatapi.application.contract.Stores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteRoomStoreTest extends RoomStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores() {
        return TestDatabases.stores(dir);
    }
}
