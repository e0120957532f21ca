/** Streaming LLM clients: OpenAI-compatible chat completions and the Anthropic Messages API. */
module io.chatapi.adapters.llm {
    requires io.chatapi.application;
    requires java.net.http;
    requires com.fasterxml.jackson.databind;

    exports io.chatapi.adapters.llm to io.chatapi.bootstrap;
}
