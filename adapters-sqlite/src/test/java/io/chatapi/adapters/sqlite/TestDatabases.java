package io.chatapi.adapters.sqlite;

import io.chatapi.application.contract.Stores;
import java.nio.file.Path;

/** Opens SQLite stores on a file in a test's temporary directory. */
final class TestDatabases {
    private TestDatabases() {
    }

    static Stores stores(Path dir) {
        SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "NORMAL"));
        return new Stores(new SqliteRoomStore(db), new SqliteMessageStore(db), new SqliteDeliveryStore(db),
                new SqliteBotStore(db), new SqlitePresenceStore(db), new SqliteOwedReplyStore(db), db::close);
    }
}
