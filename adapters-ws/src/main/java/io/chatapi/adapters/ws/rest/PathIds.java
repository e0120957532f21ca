package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.domain.ChatException;
import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The ids a route takes from its path, read from the raw path rather than from Helidon's path parameters, which
 * drop everything from a {@code ;} to the end of its segment (matrix parameters): {@code …/members/a;b} would name
 * the user "a", and {@code /rooms/r;x} the room "r". Here an id is its whole segment (a member's user id the whole
 * rest of the path), percent-decoded. Helidon routes on the path with its dot and empty segments resolved, so a
 * raw path holding one ({@code /rooms/x/../r}, {@code …/members/a//b}) names no id here: 404, rather than an id
 * the route did not see.
 */
final class PathIds {
    /** The scheme and host of a request target in absolute form ({@code GET http://host/rooms/r}, RFC 9112 §3.2.2). */
    private static final Pattern ABSOLUTE_FORM = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/]*");

    private PathIds() {
    }

    /** The id in segment {@code index} of the path; segment 0 is {@code rooms} in {@code /rooms/{room_id}}. */
    static String segment(ServerRequest req, int index) {
        return decode(split(req, -1), index);
    }

    /** Segment {@code index} and every one after it, as one id: a user id may hold {@code /}. */
    static String rest(ServerRequest req, int index) {
        return decode(split(req, index + 1), index);
    }

    /** Whether the raw path holds an empty, {@code .} or {@code ..} segment, which Helidon routed resolved. */
    static boolean unresolved(ServerRequest req) {
        return unresolved(segments(req, -1));
    }

    private static boolean unresolved(String[] segments) {
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The raw path's segments, at most {@code limit} (the last one holding the rest), all when negative. Every
     * segment is checked, an id's too, whatever the limit: Helidon's route saw them resolved.
     */
    private static String[] split(ServerRequest req, int limit) {
        String[] all = segments(req, -1);
        if (unresolved(all)) {
            throw ChatException.notFound("not found");
        }
        return limit < 0 ? all : segments(req, limit);
    }

    private static String[] segments(ServerRequest req, int limit) {
        String raw = req.path().absolute().rawPath();
        if (!raw.startsWith("/")) {
            raw = ABSOLUTE_FORM.matcher(raw).replaceFirst("");
        }
        return raw.substring(raw.startsWith("/") ? 1 : 0).split("/", limit);
    }

    private static String decode(String[] segments, int index) {
        if (index >= segments.length) {
            throw ChatException.notFound("not found");
        }
        return decode(segments[index]);
    }

    /**
     * The text a raw path segment stands for, as UTF-8: each {@code %XX} is a byte, and so is each other character.
     * A request line is ASCII (RFC 3986): the web server reads each byte above 127 sent unencoded as U+FFFD, which
     * loses it, so such a path is refused (400) with a hint to encode it ({@code é} as {@code %C3%A9}). Bytes that
     * are not UTF-8 once decoded are refused too rather than read as U+FFFD, which would make {@code %FF} and
     * {@code %FE} one id.
     */
    private static String decode(String raw) {
        if (raw.indexOf('%') < 0 && raw.chars().allMatch(c -> c < 0x80)) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || !HexFormat.isHexDigit(raw.charAt(i + 1))
                        || !HexFormat.isHexDigit(raw.charAt(i + 2))) {
                    throw ChatException.invalid("the path holds a % that is not followed by two hex digits");
                }
                bytes.write(HexFormat.fromHexDigits(raw, i + 1, i + 3));
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                throw ChatException.invalid("the path holds a byte that is not ASCII: percent-encode an id's UTF-8 "
                        + "bytes (é as %C3%A9)");
            }
        }
        return WireJson.utf8(bytes.toByteArray()).orElseThrow(
                () -> ChatException.invalid("the path is not UTF-8 once percent-decoded"));
    }
}
