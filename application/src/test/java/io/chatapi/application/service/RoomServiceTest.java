package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.ServerMetrics;
import io.chatapi.application.fake.InMemoryData;
import io.chatapi.application.fake.InMemoryDeliveryStore;
import io.chatapi.application.port.in.CreateRoomUseCase.CreateRoom;
import io.chatapi.domain.Bot;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.LlmProvider;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoomServiceTest {
    private static final Instant NOW = Instant.parse("2026-04-02T12:00:00Z");
    private static final Principal VISITOR = new Principal("visitor", Role.USER);
    private static final Principal ADMIN = new Principal("backend", Role.ADMIN);

    private final RoomStoreBotTestDouble rooms = new RoomStoreBotTestDouble();
    private final BotStoreBotTestDouble bots = new BotStoreBotTestDouble();
    private final BotRepliesTestDouble replies = new BotRepliesTestDouble();
    private final RoomService service = new RoomService(rooms, new InMemoryDeliveryStore(new InMemoryData()), bots,
            replies, () -> NOW, 3, new UserLimit(new RateLimiter(1, 2, () -> NOW), new ServerMetrics()));

    @Test
    void aDmTakingBackOneWhoLeftReportsTheHumansToTheBotPipeline() {
        bots.create(new Bot("bot_1", "Helper", "http://llm.test/v1", "OPENAI_API_KEY", "gpt-test", LlmProvider.OPENAI,
                Bot.DEFAULT_MAX_CONTEXT, null, null, NOW));
        Room first = service.create(VISITOR, new CreateRoom("dm", List.of("visitor", "bot_1"), null, null));
        assertThat(replies.told).as("a new room has no reply streaming").isEmpty();
        rooms.removeMember(first.id(), "visitor");

        Room again = service.create(VISITOR, new CreateRoom("dm", List.of("bot_1", "visitor"), null, null));

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(replies.told).containsExactly("added " + first.id() + " visitor");
    }

    @Test
    void openingTheDmOfAPairAgainCostsNoRoomChange() {
        for (int i = 0; i < 5; i++) {
            assertThat(service.create(VISITOR, new CreateRoom("dm", List.of("visitor", "friend"), null, null)).type())
                    .isEqualTo(RoomType.DM);
        }
    }

    @Test
    void aMemberIdIsRefusedOnlyWhenItIsWhiteSpaceAsATokensSubIs() {
        assertThatThrownBy(() -> service.create(ADMIN, new CreateRoom("group", List.of("a", "\u00a0"), null,
                null))).isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code())
                .isEqualTo(ErrorCode.INVALID_REQUEST));
        assertThat(service.create(ADMIN, new CreateRoom("group", List.of("a", "\u001c"), null, null)).type())
                .isEqualTo(RoomType.GROUP);
    }

    @Test
    void anIdThatBeginsAsABotsButNamesNoBotIsNoMember() {
        assertThatThrownBy(() -> service.create(ADMIN, new CreateRoom("group", List.of("a", "bot_gone"), null,
                null))).isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code())
                .isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void aRoomOfMoreMembersThanAllowedIsRefused() {
        assertThatThrownBy(() -> service.create(ADMIN, new CreateRoom("group", List.of("a", "b", "c", "d"), null,
                null))).isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code())
                .isEqualTo(ErrorCode.INVALID_REQUEST)).hasMessage("a room holds at most 3 members");
        assertThat(service.create(ADMIN, new CreateRoom("group", List.of("a", "b", "c", "c"), null, null))
                .type()).isEqualTo(RoomType.GROUP);
    }

    @Test
    void aUsersRoomCreationsAndChangesAreRateLimitedAndAnAdminsAreNot() {
        Room room = service.create(VISITOR, new CreateRoom("group", List.of("visitor", "x"), null, null));
        service.update(VISITOR, room.id(), "renamed", null);
        assertThatThrownBy(() -> service.create(VISITOR, new CreateRoom("group", List.of("visitor", "y"), null,
                null))).isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code())
                .isEqualTo(ErrorCode.RATE_LIMITED));
        assertThatThrownBy(() -> service.update(VISITOR, room.id(), "again", null))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.RATE_LIMITED));
        for (int i = 0; i < 5; i++) {
            service.create(ADMIN, new CreateRoom("group", List.of("visitor", "z" + i), null, null));
        }
    }
}
