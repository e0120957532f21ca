package io.chatapi.application.port.in;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.in.QueryRoomsUseCase.RoomView;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RoomViewTest {
    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

    private static Room withLastSeq(long lastSeq) {
        return new Room("room_1", RoomType.GROUP, null, null, lastSeq, T0, Handoff.initial(T0));
    }

    @Test
    void aReadPositionReadAfterTheRoomNeverShowsAheadOfIt() {
        assertThat(new RoomView(withLastSeq(653), 655).lastReadSeq()).isEqualTo(653);
        assertThat(new RoomView(withLastSeq(653), 653).lastReadSeq()).isEqualTo(653);
        assertThat(new RoomView(withLastSeq(653), 12).lastReadSeq()).isEqualTo(12);
        assertThat(new RoomView(withLastSeq(0), 0).lastReadSeq()).isZero();
    }
}
