package io.chatapi.application.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.PresenceStore.Kept;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What every {@link io.chatapi.application.port.out.PresenceStore} must do. */
public abstract class PresenceStoreContract extends StoreContract {

    @Test
    void keptUsersAreTakenOnceWithTheTimeTheyWereKept() {
        stores.presence().keepOnline(List.of("alice", "bob", "alice"), at(5));

        assertThat(stores.presence().takeOnline()).contains(new Kept(Set.of("alice", "bob"), at(5)));
        assertThat(stores.presence().takeOnline()).isEmpty();
    }

    @Test
    void keepingAgainReplacesWhatWasKeptAndNobodyKeepsNothing() {
        stores.presence().keepOnline(List.of("alice", "bob"), at(1));
        stores.presence().keepOnline(List.of("carol"), at(2));

        assertThat(stores.presence().takeOnline()).contains(new Kept(Set.of("carol"), at(2)));

        stores.presence().keepOnline(List.of("dave"), at(3));
        stores.presence().keepOnline(List.of(), at(4));

        assertThat(stores.presence().takeOnline()).isEmpty();
    }
}
