package io.chatapi.adapters.webhook;

import java.net.URI;
import java.time.Duration;

/** The application's webhook: its address, the signing secret (may be null) and the per-request time-out. */
public record WebhookSettings(URI url, String secret, Duration timeout) {
    /** Never shows the secret. */
    @Override
    public String toString() {
        return "WebhookSettings[url=" + url + ", secret=" + (secret == null ? "unset" : "***") + ", timeout="
                + timeout + "]";
    }
}
