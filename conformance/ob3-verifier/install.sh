#!/usr/bin/env bash
# Installs the OB 3.0 verifier's exact-pinned npm dependencies (package-lock.json).
# Idempotent: returns at once when node_modules already matches the lock file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

matches_lock() {
  node -e '
    const fs = require("node:fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!path || entry.link) continue;
      let installed;
      try {
        installed = JSON.parse(fs.readFileSync(`${path}/package.json`, "utf8"));
      } catch { process.exit(1); }
      if (installed.version !== entry.version) process.exit(1);
    }
  ' 2>/dev/null
}

if [[ -d node_modules ]] && matches_lock; then
  echo "ob3-verifier: node_modules up to date"
  exit 0
fi
npm ci --no-audit --no-fund
