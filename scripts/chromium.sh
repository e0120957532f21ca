# Sourced by test.sh: makes sure the browser test has a Chromium. Uses $CHROMIUM, or `chromium` /
# `chromium-browser` on the PATH; when none is there and the script runs as root with apt-get (a CI machine,
# a container), installs Debian's `chromium` package. Otherwise the browser test is skipped with a message
# (and fails under CI=true).

have_chromium() {
    [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ] && return 0
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

if ! have_chromium; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: installing Chromium for the browser test (Debian package chromium)" >&2
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >/dev/null; then
            echo "test.sh: could not install chromium; the browser test will not run" >&2
        fi
    else
        echo "test.sh: no Chromium found (set CHROMIUM, or install the chromium package); the browser test will be skipped" >&2
    fi
fi
