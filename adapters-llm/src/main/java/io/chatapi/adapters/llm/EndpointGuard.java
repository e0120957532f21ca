package io.chatapi.adapters.llm;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides whether an LLM URL may be called: http or https, no credentials in the URL, a host that resolves,
 * and (unless private networks are allowed) no resolved address that is loopback, private, link-local or
 * otherwise non-public. Resolves on every check, so a DNS change is seen. Thread-safe; may block on DNS.
 */
final class EndpointGuard {
    private final boolean allowPrivateNetworks;
    private final Predicate<InetAddress> trusted;

    EndpointGuard(boolean allowPrivateNetworks) {
        this(allowPrivateNetworks, address -> false);
    }

    /** {@code trusted} addresses pass even when private networks are refused. */
    EndpointGuard(boolean allowPrivateNetworks, Predicate<InetAddress> trusted) {
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.trusted = trusted;
    }

    /** The reason to refuse {@code url}, or empty when it may be called. */
    Optional<String> problem(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("URL is empty");
        }
        try {
            return problem(new URI(url.strip()));
        } catch (URISyntaxException e) {
            return Optional.of("not a valid URL");
        }
    }

    /** The reason to refuse {@code uri}, or empty when it may be called. */
    Optional<String> problem(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("scheme must be http or https");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("URL must not contain credentials");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("URL has no host");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) { // -1 is no port: the scheme's own
            return Optional.of("port must be from 1 to 65535");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException | SecurityException e) {
            return Optional.of("host does not resolve");
        }
        if (allowPrivateNetworks) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            if (trusted.test(address)) {
                continue;
            }
            Optional<String> kind = AddressRanges.nonPublicKind(address);
            if (kind.isPresent()) {
                return Optional.of("host resolves to a " + kind.get()
                        + " address; private networks are not allowed");
            }
        }
        return Optional.empty();
    }
}
