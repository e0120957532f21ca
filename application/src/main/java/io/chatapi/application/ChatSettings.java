package io.chatapi.application;

import java.time.Duration;

/**
 * The limits and policies the use cases apply, read once at start.
 *
 * @param maxMessageChars       longest content, in UTF-16 code units
 * @param rateLimitPerSecond    sustained sends per second per user; 0 disables the limit
 * @param rateLimitBurst        bucket capacity
 * @param resumeMaxMessages     most messages one resume replays per room
 * @param offlineMaxAttempts    worker passes before a queued socket delivery becomes a dead letter
 * @param webhookMaxAttempts    outbox attempts before a webhook delivery becomes a dead letter
 * @param webhookRetryBase      first retry delay of the outbox (doubled each attempt, jittered down to half)
 * @param presenceGrace         delay before a user whose last connection closed is announced offline
 * @param botWebhookProceed     true when a failed {@code bot.context} call lets the bot answer anyway
 * @param maxRoomMembers        most members of one room: the cost of each message grows with them
 */
public record ChatSettings(int maxMessageChars, double rateLimitPerSecond, int rateLimitBurst,
                           int resumeMaxMessages, int offlineMaxAttempts, int webhookMaxAttempts,
                           Duration webhookRetryBase, Duration presenceGrace, boolean botWebhookProceed,
                           int maxRoomMembers) {
    public static final int MAX_CLIENT_MSG_ID_CHARS = 64;

    public static ChatSettings defaults() {
        return new ChatSettings(16_000, 10, 20, 500, 5, 8, Duration.ofSeconds(1), Duration.ofSeconds(5), false,
                1_000);
    }
}
