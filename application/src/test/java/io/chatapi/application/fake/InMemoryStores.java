package io.chatapi.application.fake;

/** The in-memory stores over one shared {@link InMemoryData}, as a service test usually wants them. */
public record InMemoryStores(InMemoryData data, InMemoryRoomStore rooms, InMemoryMessageStore messages,
                             InMemoryDeliveryStore deliveries, InMemoryBotStore bots, InMemoryPresenceStore presence,
                             InMemoryOwedReplyStore owedReplies) {

    public static InMemoryStores create() {
        InMemoryData data = new InMemoryData();
        return new InMemoryStores(data, new InMemoryRoomStore(data), new InMemoryMessageStore(data),
                new InMemoryDeliveryStore(data), new InMemoryBotStore(data), new InMemoryPresenceStore(),
                new InMemoryOwedReplyStore());
    }
}
