#!/usr/bin/env bash
# The project runs on a supported Node.js LTS (`engines` in package.json); a machine whose `node`
# is another major gets Node 24 from the npm registry (the `node` package ships the binary) into
# .tools/node24, once. Used by .ci/run, `npm test` and the README's commands:
#   bash scripts/node-lts.sh --bin      prints the directory to put first on PATH
#   bash scripts/node-lts.sh CMD ARGS   runs CMD with that directory first on PATH
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
MAJOR=24
tools="$root/.tools/node$MAJOR"

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(major_of node)" = "$MAJOR" ]; then
  bin="$(dirname "$(command -v node)")"
else
  bin="$tools/node_modules/.bin"
  if [ "$(major_of "$bin/node")" != "$MAJOR" ]; then
    echo "node-lts: installing Node.js $MAJOR from the npm registry into .tools/node$MAJOR" >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$MAJOR" >&2
    [ "$(major_of "$bin/node")" = "$MAJOR" ] || { echo "node-lts: Node.js $MAJOR did not install" >&2; exit 1; }
  fi
fi

if [ "${1:-}" = "--bin" ]; then
  echo "$bin"
  exit 0
fi
export PATH="$bin:$PATH"
exec "$@"
