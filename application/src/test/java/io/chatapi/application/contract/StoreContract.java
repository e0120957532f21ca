package io.chatapi.application.contract;

import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The common ground of the store contracts: fresh stores per test and builders for test data. */
public abstract class StoreContract {
    /** A start time with nanoseconds, so timestamps that lose precision show up. */
    protected static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");

    protected Stores stores;

    /** Returns empty stores over a new database; called before every test. */
    protected abstract Stores newStores();

    @BeforeEach
    void openStores() {
        stores = newStores();
    }

    @AfterEach
    void releaseStores() {
        stores.release().run();
    }

    protected static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    protected static Room room(String id, RoomType type, Instant createdAt) {
        return new Room(id, type, null, null, 0, createdAt, Handoff.initial(createdAt));
    }

    protected static Member member(String roomId, String userId, Instant joinedAt) {
        return new Member(roomId, userId, MemberRole.MEMBER, joinedAt);
    }

    /** Stores a group room with the given members, all joined at the room's creation. */
    protected Room group(String id, Instant createdAt, String... userIds) {
        List<Member> members = java.util.Arrays.stream(userIds).map(u -> member(id, u, createdAt)).toList();
        return stores.rooms().createGroup(room(id, RoomType.GROUP, createdAt), members);
    }

    protected static MessageDraft draft(String roomId, String senderId, String content) {
        return new MessageDraft(Ids.message(), roomId, senderId, content, null, null, T0);
    }

    protected static MessageDraft draft(String roomId, String senderId, String content, String clientMsgId) {
        return new MessageDraft(Ids.message(), roomId, senderId, content, null, clientMsgId, T0);
    }
}
