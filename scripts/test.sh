#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: unit, integration, server and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
# shellcheck disable=SC1091
. .venv/bin/activate
export HF_HUB_OFFLINE=1
python -m pytest "$@"
