#!/usr/bin/env bash
# Set up (if needed), lint, type-check and run the whole test suite: unit, integration, server
# and browser tests. Arguments go to pytest (e.g. `bash scripts/test.sh tests/unit -q`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
# shellcheck disable=SC1091
. .venv/bin/activate
export HF_HUB_OFFLINE=1
ruff check .
mypy assistant index prompts ui
python -m pytest "$@"
