/** The llm adapter. */
package io.chatapi.adapters.llm;
