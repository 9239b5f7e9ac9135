#!/usr/bin/env bash
# Make sure a redis-server binary is on PATH (the Redis tests start their own on a free loopback port).
# Installs Debian's redis-server package when it is missing; needs root or sudo. Starts no service.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
else
    echo "redis-server is not installed and this is neither root nor has sudo: install Debian's redis-server" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server \
    >/dev/null
command -v redis-server >/dev/null 2>&1 || { echo "redis-server still not on PATH after installing it" >&2; exit 1; }
echo "installed $(redis-server --version | cut -d' ' -f1-3)" >&2
