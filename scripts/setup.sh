#!/usr/bin/env bash
# Sets up a fresh checkout: pnpm at the pinned version, then the dependencies from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
# better-sqlite3 compiles against the Node.js headers the machine ships (nothing is downloaded).
if [ -d /usr/include/node ]; then export npm_config_nodedir=/usr; fi
if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then
  npm install -g pnpm@12.4.2 >/dev/null
fi
pnpm install --frozen-lockfile
