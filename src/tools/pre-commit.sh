#!/bin/sh
# pre-commit.sh - the entry of the "meaculpa" pre-commit hook: builds the
# command in the hook's clone the first time (make, out of tree), then
# scores the staged files named on the command line, in gcc format.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
bin="$here/build/pre-commit/meaculpa"
if [ ! -x "$bin" ]; then
    make -s -C "$here" BUILD=build/pre-commit build/pre-commit/meaculpa >&2
fi
exec "$bin" --format gcc "$@"
