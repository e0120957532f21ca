package io.chatapi.adapters.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the two signature schemes of a webhook request: the compatible {@code X-ChatAPI-Signature}
 * (hex HMAC-SHA256 of the body keyed by the secret's UTF-8 bytes) and the Standard Webhooks
 * {@code webhook-signature} (base64 HMAC-SHA256 of {@code id.timestamp.body}, keyed by the base64 part after
 * {@code whsec_} when present, else by the secret's UTF-8 bytes). Thread-safe.
 */
final class WebhookSigner {
    static final String SECRET_PREFIX = "whsec_";
    private static final String HMAC = "HmacSHA256";

    private final byte[] legacyKey;
    private final byte[] standardKey;

    WebhookSigner(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the webhook secret is empty");
        }
        this.legacyKey = secret.getBytes(StandardCharsets.UTF_8);
        this.standardKey = standardKey(secret);
    }

    private static byte[] standardKey(String secret) {
        if (!secret.startsWith(SECRET_PREFIX)) {
            return secret.getBytes(StandardCharsets.UTF_8);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the webhook secret starts with " + SECRET_PREFIX
                    + " but the rest is not valid base64");
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("the webhook secret has no key after " + SECRET_PREFIX);
        }
        return key;
    }

    /** The signature headers for one request, in a stable order. */
    Map<String, String> headers(String webhookId, long epochSeconds, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-ChatAPI-Signature", "sha256=" + HexFormat.of().formatHex(hmac(legacyKey, body)));
        byte[] prefix = (webhookId + "." + epochSeconds + ".").getBytes(StandardCharsets.UTF_8);
        headers.put("webhook-signature", "v1," + Base64.getEncoder().encodeToString(hmac(standardKey, prefix, body)));
        return headers;
    }

    private static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
