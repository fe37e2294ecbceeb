#!/bin/sh
# deps.sh - makes sure the Debian packages meaculpa builds with are present.
# Installs the missing ones when run as root (as on a fresh Debian 12
# machine or in CI); otherwise prints the command to run.
set -eu
need="build-essential pkg-config libpcre2-dev libutf8proc-dev libjansson-dev libcmocka-dev libcmark-dev libinih-dev libexpat1-dev $*"
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "deps: installing$missing"
    sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: run as root, or: sudo apt-get install$missing" >&2
    exit 2
fi
