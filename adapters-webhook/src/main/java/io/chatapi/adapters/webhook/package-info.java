/** The webhook adapter. */
package io.chatapi.adapters.webhook;
