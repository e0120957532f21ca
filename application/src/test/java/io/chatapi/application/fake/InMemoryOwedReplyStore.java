package io.chatapi.application.fake;

import io.chatapi.application.port.out.OwedReplyStore;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link OwedReplyStore} in memory (kept only as long as the object lives). Thread-safe. */
public final class InMemoryOwedReplyStore implements OwedReplyStore {
    private record Key(String roomId, String botId, String triggerId) {
    }

    private final Map<Key, OwedReply> kept = new LinkedHashMap<>();

    @Override
    public synchronized void keep(Collection<OwedReply> replies) {
        for (OwedReply owed : replies) {
            kept.putIfAbsent(new Key(owed.roomId(), owed.botId(), owed.triggerId()), owed);
        }
    }

    @Override
    public synchronized List<OwedReply> take(int max) {
        List<OwedReply> oldest = kept.values().stream()
                .sorted(Comparator.comparing(OwedReply::owedAt).thenComparing(OwedReply::roomId)
                        .thenComparing(OwedReply::botId).thenComparing(OwedReply::triggerId))
                .limit(max).toList();
        oldest.forEach(owed -> kept.remove(new Key(owed.roomId(), owed.botId(), owed.triggerId())));
        return oldest;
    }
}
