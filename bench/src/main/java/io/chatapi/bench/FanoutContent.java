package io.chatapi.bench;

/**
 * The text of a fanout or probe message: a kind word, a step (or phase) tag and the sender's wall clock in
 * microseconds, so that every receiver can compute its own delivery latency and file it under the right step.
 */
record FanoutContent(String kind, String step, long sentMicros) {

    String text() {
        return kind + " s=" + step + " t=" + sentMicros;
    }

    /** Parses {@code "<kind> s=<step> t=<micros>"}; null for any other text. */
    static FanoutContent parse(String kind, String content) {
        if (content == null || !content.startsWith(kind + " s=")) {
            return null;
        }
        int t = content.indexOf(" t=", kind.length() + 3);
        if (t < 0) {
            return null;
        }
        int end = content.indexOf(' ', t + 3);
        try {
            long micros = Long.parseLong(content.substring(t + 3, end < 0 ? content.length() : end));
            return new FanoutContent(kind, content.substring(kind.length() + 3, t), micros);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
