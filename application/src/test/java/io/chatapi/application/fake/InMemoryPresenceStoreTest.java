package io.chatapi.application.fake;

import io.chatapi.application.contract.PresenceStoreContract;
import io.chatapi.application.contract.Stores;

class InMemoryPresenceStoreTest extends PresenceStoreContract {
    @Override
    protected Stores newStores() {
        InMemoryStores s = InMemoryStores.create();
        return new Stores(s.rooms(), s.messages(), s.deliveries(), s.bots(), s.presence(), s.owedReplies(),
                () -> { });
    }
}
