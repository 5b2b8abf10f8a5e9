#!/usr/bin/env bash
# Install the given Debian packages, but only those that are missing.
# `apt-get update` runs at most once, and only when something has to be installed.
# Usage: scripts/apt-ensure.sh PACKAGE...
set -euo pipefail

missing=()
for pkg in "$@"; do
    # Not `dpkg -s | grep -q`: with pipefail, grep quitting early can fail the pipeline through SIGPIPE.
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-ensure: missing packages ${missing[*]} and no apt-get here; install them by hand." >&2
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "apt-ensure: missing packages ${missing[*]}; run as root or install them by hand." >&2
        exit 1
    fi
fi

echo "apt-ensure: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
