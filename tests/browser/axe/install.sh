#!/usr/bin/env bash
# Installs axe-core (pinned in package-lock.json) for the accessibility checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ -f node_modules/axe-core/package.json ]] && node -e '
  const lock = require("./package-lock.json");
  const installed = require("./node_modules/axe-core/package.json");
  process.exit(lock.packages["node_modules/axe-core"].version === installed.version ? 0 : 1);
' 2>/dev/null; then
  echo "axe-core: up to date"
  exit 0
fi
npm ci --no-audit --no-fund
