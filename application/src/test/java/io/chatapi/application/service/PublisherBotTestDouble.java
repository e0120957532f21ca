package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.fail;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/** Records every published event with its recipients; tests wait on it with a bounded timeout. */
final class PublisherBotTestDouble implements EventPublisher {
    /** One publish call. */
    record Published(List<String> userIds, ChatEvent event) {
    }

    static final Duration WAIT = Duration.ofSeconds(10);

    private final List<Published> published = new ArrayList<>();
    private int deltaChars;

    @Override
    public synchronized void publish(Collection<String> userIds, ChatEvent event) {
        published.add(new Published(List.copyOf(userIds), event));
        if (event instanceof ChatEvent.StreamDelta delta) {
            deltaChars += delta.delta().length();
        }
        notifyAll();
    }

    @Override
    public int publishToSettled(String userId, ChatEvent event, Duration minAge, boolean waitForAll) {
        publish(List.of(userId), event);
        return 1;
    }

    synchronized List<Published> published() {
        return List.copyOf(published);
    }

    synchronized List<ChatEvent> events() {
        return published.stream().map(Published::event).toList();
    }

    /** The events whose message id is {@code messageId}, in publishing order. */
    synchronized List<ChatEvent> stream(String messageId) {
        return events().stream().filter(e -> messageId.equals(messageIdOf(e))).toList();
    }

    /** Characters published in deltas so far, over all streams. */
    synchronized int deltaChars() {
        return deltaChars;
    }

    /** Waits for the first event of a type that matches; fails after {@link #WAIT}. */
    synchronized <T extends ChatEvent> T await(Class<T> type, Predicate<T> match) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (Published p : published) {
                if (type.isInstance(p.event()) && match.test(type.cast(p.event()))) {
                    return type.cast(p.event());
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("no " + type.getSimpleName() + " matched; events: " + events());
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted");
            }
        }
    }

    static String messageIdOf(ChatEvent event) {
        return switch (event) {
            case ChatEvent.StreamStart e -> e.messageId();
            case ChatEvent.StreamDelta e -> e.messageId();
            case ChatEvent.StreamEnd e -> e.messageId();
            case ChatEvent.StreamError e -> e.messageId();
            case ChatEvent.MessageCreated e -> e.message().id();
            default -> null;
        };
    }
}
