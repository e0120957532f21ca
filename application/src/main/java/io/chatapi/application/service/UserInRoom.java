package io.chatapi.application.service;

/** A user in one room: the key of per-user, per-room state kept in memory (typing throttle, ack positions). */
record UserInRoom(String userId, String roomId) {
}
