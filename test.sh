#!/usr/bin/env bash
# Builds everything and runs the whole test suite (unit, contract, architecture, end-to-end, browser, bench smoke).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/jdk.sh
. scripts/chromium.sh
exec ./mvnw -B verify "$@"
