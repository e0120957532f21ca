/** The webhook adapter: signed JSON POSTs to the application's webhook with the JDK HTTP client. */
package io.chatapi.adapters.webhook;
