package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The process {@link DurabilityTest} kills: appends to one room from several virtual threads for ever and
 * prints {@code acked <seq>} for every append the store acknowledged.
 */
public final class AppendingChild {
    static final String ROOM = "room_durable";

    private AppendingChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(Path.of(args[0]), "FULL"));
        Instant now = Instant.now();
        new SqliteRoomStore(db).createGroup(new Room(ROOM, RoomType.GROUP, null, null, 0, now, Handoff.initial(now)),
                List.of());
        SqliteMessageStore messages = new SqliteMessageStore(db);
        PrintStream out = System.out;
        out.println("ready");
        out.flush();
        for (int i = 0; i < 8; i++) {
            Thread.ofVirtual().start(() -> {
                while (true) {
                    MessageDraft draft = new MessageDraft(Ids.message(), ROOM, "alice", "durable", null, null,
                            Instant.now());
                    long seq = messages.append(draft, DeliveryPlan.NONE).message().seq();
                    synchronized (out) {
                        out.println("acked " + seq);
                        out.flush();
                    }
                }
            });
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
