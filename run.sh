#!/usr/bin/env bash
# Builds the server and runs it with the embedded SQLite database (./chatapi.db by default).
# Needs JWT_SECRET; every other setting is optional (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/jdk.sh
./mvnw -q -B -DskipTests package -pl bootstrap -am
exec "$JAVA_HOME/bin/java" -jar bootstrap/target/chatapi.jar "$@"
