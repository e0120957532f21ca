package io.chatapi.adapters.ws.rest;

import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncoding;
import io.helidon.http.encoding.ContentEncodingContext;
import java.util.Set;

/**
 * The one request body coding the server reads: {@code identity}, the body as it is. Helidon refuses a request
 * with any {@code Content-Encoding} header, even {@code identity}, when it knows no coding; knowing this one, it
 * takes {@code identity} and refuses the others as unsupported, which {@link DirectAnswers} answers 415. It encodes
 * no answer: the server's answers are never compressed.
 */
public final class IdentityDecoding implements ContentEncoding {
    static final String ID = "identity";

    /** Helidon's content coding context for the server: decoding {@code identity} only, nothing discovered. */
    public static ContentEncodingContext context() {
        return ContentEncodingContext.create(config -> config.contentEncodingsDiscoverServices(false)
                .addContentEncoding(new IdentityDecoding()));
    }

    @Override
    public Set<String> ids() {
        return Set.of(ID);
    }

    @Override
    public boolean supportsEncoding() {
        return false;
    }

    @Override
    public boolean supportsDecoding() {
        return true;
    }

    @Override
    public ContentDecoder decoder() {
        return ContentDecoder.NO_OP;
    }

    @Override
    public ContentEncoder encoder() {
        return ContentEncoder.NO_OP;
    }

    @Override
    public String name() {
        return ID;
    }

    @Override
    public String type() {
        return ID;
    }
}
