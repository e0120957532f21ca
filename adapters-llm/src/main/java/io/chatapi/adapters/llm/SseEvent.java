package io.chatapi.adapters.llm;

/** One server-sent event: its {@code event:} type ({@code message} when absent) and its joined data lines. */
record SseEvent(String type, String data) {
}
