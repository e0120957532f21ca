#!/usr/bin/env bash
# Builds the server and runs it with the embedded SQLite database (chatapi.db in the directory it is started from,
# by default; relative paths in the settings, and a logging.properties, are found there too).
# Needs JWT_SECRET; every other setting is optional (see README.md). On JDK 25 or later it also makes a JDK AOT
# cache once per build (scripts/aot-cache.sh, a few seconds) and starts the server with it, and with the JVM
# options of bootstrap/src/main/jvm/jvm.options (heap sizing, see docs/operations.md).
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")"
repo=$(pwd)
if [ -z "${JWT_SECRET:-}" ]; then # the server says the same, but only after the build
    echo "chatapi: JWT_SECRET is required: the HS256 key shared with the application that issues tokens" \
        "(for example JWT_SECRET=\$(openssl rand -hex 32))" >&2
    exit 2
fi
. scripts/jdk.sh
./mvnw -q -B -DskipTests package -pl bootstrap -am
aot=()
if [ -n "$(scripts/aot-cache.sh)" ]; then # it printed the options for bootstrap/target/chatapi.aot
    aot=("-XX:AOTCache=$repo/bootstrap/target/chatapi.aot" "-Xlog:aot*=error")
fi
cd "$caller"
# ${aot[@]+…}: an empty array is "unbound" to bash before 4.4 under set -u
exec "$JAVA_HOME/bin/java" "@$repo/bootstrap/target/jvm.options" ${aot[@]+"${aot[@]}"} \
    -jar "$repo/bootstrap/target/chatapi.jar" "$@"
