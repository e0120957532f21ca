/** The server's entry point: configuration from the environment, wiring, start and graceful stop. */
package io.chatapi.bootstrap;
