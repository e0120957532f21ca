package io.chatapi.adapters.ws;

import io.chatapi.application.port.in.AckUseCase;
import io.chatapi.application.port.in.AdminUseCase;
import io.chatapi.application.port.in.CreateRoomUseCase;
import io.chatapi.application.port.in.EditMessageUseCase;
import io.chatapi.application.port.in.HandoffUseCase;
import io.chatapi.application.port.in.HealthQuery;
import io.chatapi.application.port.in.HistoryUseCase;
import io.chatapi.application.port.in.ManageBotsUseCase;
import io.chatapi.application.port.in.MembershipUseCase;
import io.chatapi.application.port.in.PresenceUseCase;
import io.chatapi.application.port.in.QueryRoomsUseCase;
import io.chatapi.application.port.in.SendMessageUseCase;
import io.chatapi.application.port.in.StreamsUseCase;
import io.chatapi.application.port.in.TypingUseCase;
import io.chatapi.application.port.in.UnsentMessagesUseCase;
import io.chatapi.application.port.in.UpdateRoomUseCase;
import java.util.Objects;

/** Every use case the transport calls, handed over by the bootstrap in one value. */
public record UseCases(CreateRoomUseCase createRoom, QueryRoomsUseCase queryRooms, UpdateRoomUseCase updateRoom,
                       MembershipUseCase membership, SendMessageUseCase sendMessage, EditMessageUseCase editMessage,
                       HistoryUseCase history, AckUseCase ack, TypingUseCase typing, PresenceUseCase presence,
                       ManageBotsUseCase manageBots, HandoffUseCase handoff, StreamsUseCase streams,
                       AdminUseCase admin, HealthQuery health, UnsentMessagesUseCase unsentMessages) {
    public UseCases {
        Objects.requireNonNull(createRoom, "createRoom");
        Objects.requireNonNull(queryRooms, "queryRooms");
        Objects.requireNonNull(updateRoom, "updateRoom");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(sendMessage, "sendMessage");
        Objects.requireNonNull(editMessage, "editMessage");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(ack, "ack");
        Objects.requireNonNull(typing, "typing");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(manageBots, "manageBots");
        Objects.requireNonNull(handoff, "handoff");
        Objects.requireNonNull(streams, "streams");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(unsentMessages, "unsentMessages");
    }
}
