package io.chatapi.application.contract;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.OwedReplyStore;
import io.chatapi.application.port.out.PresenceStore;
import io.chatapi.application.port.out.ReadPositions;
import io.chatapi.application.port.out.RoomStore;

/** A fresh, empty set of stores over one database, and how to release it after the test. */
public record Stores(RoomStore rooms, MessageStore messages, DeliveryStore deliveries, BotStore bots,
                     PresenceStore presence, OwedReplyStore owedReplies, Runnable release) {
    /** The read positions, which the delivery store keeps (an acknowledgement moves one). */
    public ReadPositions readPositions() {
        return (ReadPositions) deliveries;
    }
}
