/** Outbound HTTP to the application's webhook: JSON bodies, both signature schemes. */
module io.chatapi.adapters.webhook {
    requires io.chatapi.application;
    requires java.net.http;
    requires com.fasterxml.jackson.databind;

    exports io.chatapi.adapters.webhook to io.chatapi.bootstrap;
}
