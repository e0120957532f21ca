/**
 * Outgoing ports: what the application needs from the outside world (storage, fan-out, webhooks, LLMs,
 * time). Implementations live in adapters; every port is safe to call from many threads at once.
 */
package io.chatapi.application.port.out;
