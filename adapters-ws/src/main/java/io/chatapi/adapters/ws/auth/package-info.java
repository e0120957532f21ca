/** Who is calling: JWT verification, bearer-token extraction and the browser-origin policy. */
package io.chatapi.adapters.ws.auth;
