package io.chatapi.application.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.OwedReplyStore.OwedReply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link io.chatapi.application.port.out.OwedReplyStore} must do. */
public abstract class OwedReplyStoreContract extends StoreContract {

    @Test
    void keptRepliesAreTakenOnceOldestFirst() {
        OwedReply later = new OwedReply("room_1", "bot_a", "msg_2", at(7));
        OwedReply earlier = new OwedReply("room_2", "bot_b", "msg_1", at(5));
        stores.owedReplies().keep(List.of(later, earlier));

        assertThat(stores.owedReplies().take(100)).containsExactly(earlier, later);
        assertThat(stores.owedReplies().take(100)).isEmpty();
    }

    @Test
    void theLongestKeptAreTakenFirstAndTheOthersStay() {
        OwedReply first = new OwedReply("room_2", "bot_a", "msg_1", at(1));
        OwedReply second = new OwedReply("room_1", "bot_b", "msg_2", at(2));
        OwedReply sameTimeOtherRoom = new OwedReply("room_3", "bot_a", "msg_3", at(2));
        stores.owedReplies().keep(List.of(sameTimeOtherRoom, second, first));

        assertThat(stores.owedReplies().take(2)).containsExactly(first, second);
        assertThat(stores.owedReplies().take(2)).containsExactly(sameTimeOtherRoom);
        assertThat(stores.owedReplies().take(2)).isEmpty();
    }

    @Test
    void keepingAddsToWhatIsKeptAndAReplyKeptTwiceKeepsItsFirstTime() {
        OwedReply first = new OwedReply("room_1", "bot_a", "msg_1", at(1));
        stores.owedReplies().keep(List.of(first));
        stores.owedReplies().keep(List.of());
        OwedReply other = new OwedReply("room_1", "bot_b", "msg_1", at(3));
        stores.owedReplies().keep(List.of(new OwedReply("room_1", "bot_a", "msg_1", at(2)), other));

        assertThat(stores.owedReplies().take(100)).containsExactly(first, other);
    }
}
