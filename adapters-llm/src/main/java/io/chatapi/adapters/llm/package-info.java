/**
 * The LLM adapter: streams bot replies from OpenAI-compatible and Anthropic endpoints over HTTP, with
 * server-sent event parsing, idle/total time-outs, cancellation and checks against calls into private networks.
 */
package io.chatapi.adapters.llm;
