package io.chatapi.application.fake;

import io.chatapi.application.contract.OwedReplyStoreContract;
import io.chatapi.application.contract.Stores;

class InMemoryOwedReplyStoreTest extends OwedReplyStoreContract {
    @Override
    protected Stores newStores() {
        InMemoryStores s = InMemoryStores.create();
        return new Stores(s.rooms(), s.messages(), s.deliveries(), s.bots(), s.presence(), s.owedReplies(), () -> { });
    }
}
