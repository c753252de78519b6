#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing. Idempotent: a machine
# that has them pays one `command -v` per package. Fails loudly (non-zero exit) when a package
# cannot be installed; a test that needs it must never be skipped silently instead.
set -euo pipefail

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-test-deps: '$1' is missing and apt-get is not available; install it by hand" >&2
    exit 1
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
      echo "ensure-test-deps: '$1' is missing and installing it needs root" >&2
      exit 1
    fi
  fi
  if [ "$apt_updated" -eq 0 ]; then
    "${sudo[@]}" apt-get update -qq >&2
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2
}

# --- redis-server: test/helpers/redis.ts starts its own on 127.0.0.1 (test/scale/*) ---
if ! command -v redis-server >/dev/null 2>&1; then
  echo "ensure-test-deps: installing redis-server" >&2
  apt_install redis-server
  command -v redis-server >/dev/null 2>&1 || { echo "ensure-test-deps: redis-server still missing after install" >&2; exit 1; }
fi
