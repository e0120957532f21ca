package io.chatapi.application.port.out;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The bot replies a graceful stop cut short or kept from starting, kept until the next start so that the
 * messages they answer are answered after all.
 *
 * @throws StoreUnavailableException from any method when the store cannot be reached
 */
public interface OwedReplyStore {
    /** The reply {@code botId} owes in {@code roomId} to the message {@code triggerId}, owed since {@code owedAt}. */
    record OwedReply(String roomId, String botId, String triggerId, Instant owedAt) {
    }

    /** Adds {@code replies} to those kept; a reply kept already keeps its first time. */
    void keep(Collection<OwedReply> replies);

    /**
     * The {@code max} replies kept longest (by {@code owedAt}, then room, bot and message); the store forgets them
     * as it returns them, and keeps the others.
     */
    List<OwedReply> take(int max);
}
