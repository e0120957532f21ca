package io.chatapi.application;

import java.util.concurrent.atomic.AtomicLong;

/** The server's counters; every transport and service adds to the same instance. Thread-safe. */
public final class ServerMetrics {
    public final AtomicLong activeConnections = new AtomicLong();
    public final AtomicLong messagesSent = new AtomicLong();
    public final AtomicLong broadcastDrops = new AtomicLong();
    /** Offline-queue entries the re-delivery worker wrote to a connection or found with their user offline. */
    public final AtomicLong deliveryAttempts = new AtomicLong();
    /** The part of {@link #deliveryAttempts} whose user was still offline. */
    public final AtomicLong deliveryFailures = new AtomicLong();
    public final AtomicLong webhookDeliveries = new AtomicLong();
    public final AtomicLong webhookFailures = new AtomicLong();
    public final AtomicLong deadLetters = new AtomicLong();
    public final AtomicLong botReplies = new AtomicLong();
    public final AtomicLong botWebhookFailures = new AtomicLong();
    public final AtomicLong botLlmFailures = new AtomicLong();
    public final AtomicLong rateLimited = new AtomicLong();
    public final AtomicLong slowConsumerCloses = new AtomicLong();
}
