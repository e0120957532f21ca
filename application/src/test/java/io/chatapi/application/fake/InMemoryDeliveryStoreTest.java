package io.chatapi.application.fake;

import io.chatapi.application.contract.DeliveryStoreContract;
import io.chatapi.application.contract.Stores;

class InMemoryDeliveryStoreTest extends DeliveryStoreContract {
    @Override
    protected Stores newStores() {
        InMemoryStores s = InMemoryStores.create();
        return new Stores(s.rooms(), s.messages(), s.deliveries(), s.bots(), s.presence(), s.owedReplies(),
                () -> { });
    }
}
