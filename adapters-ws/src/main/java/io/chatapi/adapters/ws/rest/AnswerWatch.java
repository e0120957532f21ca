package io.chatapi.adapters.ws.rest;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.ServerRequest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Watches the writes of REST answers to their clients. A write blocks while the client does not read, and nothing
 * else would ever end it: a watched write the client has not taken within the server's time is cut, its connection
 * closed, and {@link #write} throws {@link AnswerCut}. Answers are written in
 * pieces of at most {@link AnswerBytes#SMALL} bytes, each watched on its own, so a slow client that keeps reading
 * gets its whole answer.
 */
public interface AnswerWatch {
    /** Watches nothing: for requests served outside a server that watches. */
    AnswerWatch NONE = Write::run;

    /** One write to the client. */
    @FunctionalInterface
    interface Write {
        void run() throws IOException;
    }

    /** Runs {@code write}; cuts it, and throws {@link AnswerCut}, once it has taken too long. */
    void write(Write write) throws IOException;

    /** A filter that makes {@code watch} and {@code budget} those of every request it passes. */
    static Filter attaching(AnswerWatch watch, AnswerBytes budget) {
        Answering answering = new Answering(watch, budget);
        return (chain, req, res) -> {
            req.context().register(Answering.class, answering);
            chain.proceed();
        };
    }

    /** What watches the request's answer and counts its bytes. */
    static Answering of(ServerRequest req) {
        return req.context().get(Answering.class, Answering.class).orElse(Answering.UNWATCHED);
    }

    /** {@code out} with each write, flush and close watched. */
    static OutputStream watched(OutputStream out, AnswerWatch watch) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                watch.write(() -> out.write(b));
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                watch.write(() -> out.write(b, off, len));
            }

            @Override
            public void flush() throws IOException {
                watch.write(out::flush);
            }

            @Override
            public void close() throws IOException {
                watch.write(out::close);
            }
        };
    }

    /** The watch and the byte budget of a request's answer. */
    record Answering(AnswerWatch watch, AnswerBytes budget) {
        static final Answering UNWATCHED = new Answering(NONE, new AnswerBytes(AnswerBytes.forThisProcess()));
    }
}
