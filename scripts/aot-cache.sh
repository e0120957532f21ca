#!/usr/bin/env bash
# Creates bootstrap/target/chatapi.aot, a JDK AOT cache (JDK 25 or later) that roughly halves the server's
# start-up, from a short training run of the packaged server: start on a throw-away database, answer a few
# requests, stop. Does nothing when the cache is newer than the jar (and jvm.options), or on a JDK older
# than 25. Prints the JVM option that uses the cache (empty when there is none); `java -jar` works without it.
# Needs JAVA_HOME (scripts/jdk.sh) and a packaged server.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bootstrap/target/chatapi.jar
cache=bootstrap/target/chatapi.aot
options=bootstrap/target/jvm.options

feature=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = //p')
if [ "${feature:-0}" -lt 25 ] || [ ! -f "$jar" ]; then
    exit 0
fi

fresh() {
    [ -f "$cache" ] || return 1
    [ -z "$(find "$jar" "$options" -newer "$cache" -print -quit 2>/dev/null)" ]
}

if ! fresh; then
    # trained with the options the server runs with (run.sh), when the build made them
    options_arg=""
    [ -f "$options" ] && options_arg="@$options"
    # Classes only, no method profiles: replaying the training run's profiles at start makes the JIT compile
    # its hot methods at once, which on a small machine takes the cores the start needs (docs/PERFORMANCE.md).
    # The flag is a diagnostic one; a JDK without it gets a cache with profiles.
    training_arg=""
    if "$JAVA_HOME/bin/java" -XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining -version >/dev/null 2>&1; then
        training_arg="-XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining"
    fi
    rm -f "$cache"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    : >"$work/server.log"
    JWT_SECRET=$secret LISTEN_ADDR=127.0.0.1:0 DATABASE_DSN="$work/training.db" \
        "$JAVA_HOME/bin/java" ${options_arg} ${training_arg} -XX:AOTCacheOutput="$cache" -Xlog:aot=warning -Xlog:cds=warning \
        -jar "$jar" >"$work/server.log" 2>&1 &
    pid=$!
    port=""
    for _ in $(seq 1 600); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -n 1 || true)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ -n "$port" ]; then
        for _ in $(seq 1 20); do
            curl -s -o /dev/null "http://127.0.0.1:$port/health" || true
            curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true
            curl -s -o /dev/null "http://127.0.0.1:$port/rooms" || true
        done
    fi
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    if [ ! -f "$cache" ]; then
        echo "aot-cache: no cache created; the server runs without one" >&2
        tail -n 5 "$work/server.log" >&2
    fi
fi

if [ -f "$cache" ]; then
    # JDK 25.0.3 warns at every start that one adapter of the cache's code could not be linked (the JVM makes
    # that adapter at run time instead): only AOT errors are worth a line on a user's console
    echo "-XX:AOTCache=$cache -Xlog:aot*=error"
fi
