package io.chatapi.application.port.out;

/** One turn of LLM history: role {@code user}, {@code assistant} or {@code system}. */
public record ChatTurn(String role, String content) {
}
