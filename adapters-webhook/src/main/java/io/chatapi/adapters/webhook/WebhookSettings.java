package io.chatapi.adapters.webhook;

import java.net.URI;
import java.time.Duration;

/** The application's webhook: its address, the signing secret (may be null) and the per-request time-out. */
public record WebhookSettings(URI url, String secret, Duration timeout) {
}
