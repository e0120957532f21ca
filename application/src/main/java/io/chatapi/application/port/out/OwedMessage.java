package io.chatapi.application.port.out;

import io.chatapi.domain.Message;

/** A stored message with the offline deliveries it owes, to queue with others in one write. */
public record OwedMessage(Message stored, DeliveryPlan.Deliveries deliveries) {
}
