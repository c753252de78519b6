#!/usr/bin/env bash
# Installs what the test suite needs beyond the project's node_modules, idempotently:
#   - Debian's chromium (the browser test drives it headless through playwright-core; no
#     downloaded browser) and redis-server (test/helpers/redis.ts starts its own on 127.0.0.1),
#     with one `apt-get update` when something is missing;
#   - the typed consumer example's own node_modules (examples/consumer), from the npm registry;
#   - Node.js 24 when the machine's node is another major (scripts/node-lts.sh).
# A machine that has them pays a few `command -v`. Fails loudly (non-zero exit) when something
# cannot be installed: a test that needs it is never skipped silently instead.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js: a supported LTS (scripts/node-lts.sh installs Node 24 from the npm registry when needed).
node_bin="$(bash scripts/node-lts.sh --bin)"
export PATH="$node_bin:$PATH"

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

# --- chromium: test/consumers/browser.test.ts ---
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-test-deps: installing Debian's chromium" >&2
  apt_install chromium
  [ -x "$CHROMIUM" ] || { echo "ensure-test-deps: apt-get installed chromium but $CHROMIUM does not exist" >&2; exit 1; }
fi

# --- redis-server: test/scale/* ---
if ! command -v redis-server >/dev/null 2>&1; then
  echo "ensure-test-deps: installing redis-server" >&2
  apt_install redis-server
  command -v redis-server >/dev/null 2>&1 || { echo "ensure-test-deps: redis-server still missing after install" >&2; exit 1; }
fi

# --- examples/consumer: test/consumers/typed-consumer.test.ts ---
if [ -f examples/consumer/package.json ]; then
  if [ ! -d examples/consumer/node_modules ] || [ examples/consumer/package-lock.json -nt examples/consumer/node_modules ]; then
    echo "ensure-test-deps: installing examples/consumer" >&2
    (cd examples/consumer && npm ci --no-audit --no-fund --prefer-offline >/dev/null)
  fi
fi
