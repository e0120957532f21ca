package io.chatapi.application.fake;

import io.chatapi.application.contract.MessageStoreContract;
import io.chatapi.application.contract.Stores;

class InMemoryMessageStoreTest extends MessageStoreContract {
    @Override
    protected Stores newStores() {
        InMemoryStores s = InMemoryStores.create();
        return new Stores(s.rooms(), s.messages(), s.deliveries(), s.bots(), s.presence(), s.owedReplies(),
                () -> { });
    }
}
