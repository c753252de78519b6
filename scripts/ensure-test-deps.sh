#!/usr/bin/env bash
# Installs what the test suite needs beyond node_modules, idempotently:
#   - Debian's chromium (the browser test drives it headless through playwright-core; no
#     downloaded browser), with one `apt-get update` when it is missing;
#   - the typed consumer example's own node_modules (examples/consumer), from the npm registry.
# Fails loudly when something cannot be installed: the tests never skip silently.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-test-deps: $CHROMIUM is missing and apt-get is not available; install chromium (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "ensure-test-deps: installing Debian's chromium" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-test-deps: apt-get installed chromium but $CHROMIUM does not exist" >&2
    exit 1
  fi
fi

if [ -f examples/consumer/package.json ]; then
  if [ ! -d examples/consumer/node_modules ] || [ examples/consumer/package-lock.json -nt examples/consumer/node_modules ]; then
    echo "ensure-test-deps: installing examples/consumer" >&2
    (cd examples/consumer && npm ci --no-audit --no-fund --prefer-offline >/dev/null)
  fi
fi
