package io.chatapi.adapters.llm;

import java.io.IOException;
import java.io.InputStream;

/**
 * What an LLM response's body is consumed as: a 2xx as an {@link EventStream} parsed as it arrives, anything
 * else (an error or a redirect) as a plain {@link Raw} stream of which only the start is read.
 */
sealed interface ResponseBody permits EventStream, ResponseBody.Raw {
    /** Stops reading and aborts the exchange, closing its connection, unless the body has already ended. */
    void cancel();

    /** A body read on the caller's thread. */
    record Raw(InputStream in) implements ResponseBody {
        @Override
        public void cancel() {
            try {
                in.close();
            } catch (IOException e) {
                // the exchange is being abandoned anyway
            }
        }
    }
}
