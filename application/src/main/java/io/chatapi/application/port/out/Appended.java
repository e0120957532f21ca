package io.chatapi.application.port.out;

import io.chatapi.domain.Message;

/** The outcome of an append: the stored message, and whether it was already there (same client id). */
public record Appended(Message message, boolean duplicate) {
}
