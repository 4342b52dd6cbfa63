#!/usr/bin/env bash
# Create .venv (if missing) and install the pinned requirements plus lrparity itself (editable).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r ci/requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import lrparity, torch, paddle" 2>/dev/null || { echo "ci/setup.sh: install failed" >&2; exit 1; }
