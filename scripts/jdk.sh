# Sourced by the project's scripts: points JAVA_HOME at a JDK 21 or newer.
# Order: JAVA_HOME when new enough; else the newest JDK >= 21 next to the default `java`; else an error.

jdk_major() { # prints the feature version of the JDK at $1, or nothing
    local release="$1/release" v
    [ -f "$release" ] || return 0
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
    [ "$v" = "1" ] && v=8
    printf '%s' "$v"
}

find_jdk() {
    local v candidate best="" best_v=0 dir
    if [ -n "${JAVA_HOME:-}" ]; then
        v=$(jdk_major "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge 21 ]; then
            printf '%s' "$JAVA_HOME"; return 0
        fi
    fi
    dir=""
    if command -v java >/dev/null 2>&1; then
        dir=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for candidate in ${dir:+"$dir"/*} /usr/lib/jvm/* /opt/java/* /opt/*jdk*; do
        [ -x "$candidate/bin/javac" ] || continue
        v=$(jdk_major "$candidate")
        if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then
            best="$candidate"; best_v="$v"
        fi
    done
    [ -n "$best" ] && printf '%s' "$best"
}

JAVA_HOME=$(find_jdk) || true
if [ -z "$JAVA_HOME" ]; then
    echo "error: no JDK 21 or newer found. Install one (for example Temurin 21 or 25) and set JAVA_HOME to it." >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
