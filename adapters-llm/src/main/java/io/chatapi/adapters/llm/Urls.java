package io.chatapi.adapters.llm;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/** URL helpers for LLM endpoints: joining a base and a path, comparing origins, a loggable form. */
final class Urls {
    private Urls() {
    }

    /**
     * Appends {@code path} (starting with {@code /}) to {@code base} without doubling the slash, keeping a query
     * and dropping a fragment. Throws {@link IllegalArgumentException} when the result is not a URI.
     */
    static URI join(String base, String path) {
        if (base == null) {
            throw new IllegalArgumentException("no base URL");
        }
        String text = base.strip();
        int fragment = text.indexOf('#');
        if (fragment >= 0) {
            text = text.substring(0, fragment);
        }
        int queryStart = text.indexOf('?');
        String query = queryStart >= 0 ? text.substring(queryStart) : "";
        String head = queryStart >= 0 ? text.substring(0, queryStart) : text;
        while (head.endsWith("/")) {
            head = head.substring(0, head.length() - 1);
        }
        return URI.create(head + path + query);
    }

    /** True when both URIs have the same scheme, host and port (default ports filled in). */
    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    /** Scheme, host, port and path only: no user info or query, which could hold secrets. */
    static String forLog(URI uri) {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        return uri.getScheme() + "://" + uri.getHost() + port + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equals(lower(uri.getScheme())) ? 443 : 80;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
