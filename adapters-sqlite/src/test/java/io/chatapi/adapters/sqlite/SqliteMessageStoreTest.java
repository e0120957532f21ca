package io.chatapi.adapters.sqlite;

import io.chatapi.application.contract.MessageStoreContract;
import io.chatapi.application.contract.Stores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteMessageStoreTest extends MessageStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores() {
        return TestDatabases.stores(dir);
    }
}
