package io.chatapi.adapters.sqlite;

import io.chatapi.application.contract.OwedReplyStoreContract;
import io.chatapi.application.contract.Stores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteOwedReplyStoreTest extends OwedReplyStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Stores newStores() {
        return TestDatabases.stores(dir);
    }
}
