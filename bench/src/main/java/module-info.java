/** Benchmarks: a coordinator and load-generator processes that measure a running server over HTTP and WebSocket. */
module io.chatapi.bench {
    requires java.net.http;
    requires java.sql;
    requires jdk.httpserver;
    requires com.fasterxml.jackson.databind;
    requires com.nimbusds.jose.jwt;
    requires org.xerial.sqlitejdbc;
    requires HdrHistogram;
}
