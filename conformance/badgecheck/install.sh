#!/usr/bin/env bash
# Creates conformance/badgecheck/.venv with the exact pins of requirements.txt.
# Idempotent: returns at once when the venv already has exactly those versions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

venv=.venv
python_bin="${PYTHON:-python3}"

pins_installed() {
  [[ -x "$venv/bin/python" ]] || return 1
  "$venv/bin/python" - requirements.txt <<'PY'
import sys
from importlib import metadata

def norm(name):
    return name.lower().replace("_", "-").replace(".", "-")

installed = {norm(d.metadata["Name"]): d.version for d in metadata.distributions()}
missing = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, version = line.split("==")
    if installed.get(norm(name)) != version:
        missing.append(line)
sys.exit(1 if missing else 0)
PY
}

if pins_installed; then
  echo "badgecheck: .venv up to date"
  exit 0
fi

[[ -x "$venv/bin/python" ]] || "$python_bin" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-deps -r requirements.txt
"$venv/bin/python" -c "import openbadges, openbadges_bakery, cryptography"
pins_installed || { echo "badgecheck: installed versions differ from requirements.txt" >&2; exit 1; }
echo "badgecheck: .venv ready"
