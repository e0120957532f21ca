package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Bot;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.LlmProvider;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MembershipServiceTest {
    private static final Instant NOW = Instant.parse("2026-04-02T12:00:00Z");
    private static final Principal ADMIN = new Principal("backend", Role.ADMIN);

    private final RoomStoreBotTestDouble rooms = new RoomStoreBotTestDouble();
    private final BotStoreBotTestDouble bots = new BotStoreBotTestDouble();
    private final BotRepliesTestDouble replies = new BotRepliesTestDouble();
    private final PublisherBotTestDouble typingTold = new PublisherBotTestDouble();
    private final TypingService typing = new TypingService(rooms, typingTold, () -> NOW);
    private final MembershipService service = new MembershipService(rooms, bots, () -> NOW, replies, typing, 4,
            new UserLimit(new RateLimiter(1, 2, () -> NOW), new ServerMetrics()));

    @BeforeEach
    void room() {
        bots.create(new Bot("bot_1", "Helper", "http://llm.test/v1", "OPENAI_API_KEY", "gpt-test", LlmProvider.OPENAI,
                Bot.DEFAULT_MAX_CONTEXT, null, null, NOW));
        rooms.createGroup(new Room("room_1", RoomType.GROUP, null, null, 0, NOW, Handoff.initial(NOW)),
                List.of(new Member("room_1", "alice", MemberRole.MEMBER, NOW)));
    }

    @Test
    void aFullRoomTakesNoOneMoreAndAUsersAddsAreRateLimited() {
        Principal alice = new Principal("alice", Role.USER);
        service.addMember(alice, "room_1", "bob");
        service.addMember(alice, "room_1", "carol");
        assertThatThrownBy(() -> service.addMember(alice, "room_1", "dave"))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.RATE_LIMITED));
        service.addMember(ADMIN, "room_1", "dave");
        assertThatThrownBy(() -> service.addMember(ADMIN, "room_1", "erin"))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessage("the room is full: a room holds at most 4 members");
        service.removeMember(alice, "room_1", "alice"); // leaving is never limited
        assertThat(rooms.members("room_1")).extracting(Member::userId).containsExactly("bob", "carol", "dave");
    }

    @Test
    void theBotPipelineHearsOfEveryHumanWhoJoinsOrLeaves() {
        service.addMember(ADMIN, "room_1", "carol");
        service.addMember(ADMIN, "room_1", "bot_1");
        service.removeMember(ADMIN, "room_1", "carol");
        service.removeMember(ADMIN, "room_1", "bot_1");

        assertThat(replies.told).containsExactly("added room_1 carol", "removed room_1 carol",
                "removed room_1 bot_1");
        assertThat(rooms.members("room_1")).extracting(Member::userId).containsExactly("alice");
    }

    @Test
    void aMemberRemovedWhileShownTypingIsShownToHaveStoppedAndOneWhoWasNotIsNot() {
        service.addMember(ADMIN, "room_1", "carol");
        service.addMember(ADMIN, "room_1", "dave");
        typing.typing(new Principal("carol", Role.USER), "room_1", true);
        typing.typing(new Principal("dave", Role.USER), "room_1", true);
        typing.typing(new Principal("dave", Role.USER), "room_1", false);

        service.removeMember(ADMIN, "room_1", "carol");
        service.removeMember(ADMIN, "room_1", "dave");

        assertThat(typingTold.published()).extracting(p -> (ChatEvent.Typing) p.event())
                .extracting(t -> t.userId() + (t.start() ? " start" : " stop"))
                .containsExactly("carol start", "dave start", "dave stop", "carol stop");
        assertThat(typingTold.published().getLast().userIds()).as("told to those who remain")
                .containsExactlyInAnyOrder("alice", "dave");
    }

    @Test
    void aRefusedChangeTellsThePipelineNothing() {
        assertThatThrownBy(() -> service.addMember(ADMIN, "room_1", "alice")).isInstanceOf(ChatException.class);
        assertThatThrownBy(() -> service.removeMember(ADMIN, "room_1", "nobody")).isInstanceOf(ChatException.class);
        assertThatThrownBy(() -> service.addMember(new Principal("mallory", Role.USER), "room_1", "eve"))
                .isInstanceOf(ChatException.class);

        assertThat(replies.told).isEmpty();
    }
}
