#!/usr/bin/env bash
# Set up, index a folder of articles (default: the shared sample corpora) and serve the web page.
#   bash scripts/demo.sh [FOLDER ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate
if [[ $# -eq 0 ]]; then set -- ../shared/corpora/seed ../shared/corpora/bbc; fi
newsdesk index "$@"
newsdesk ask "Who called the kindergarten shelling a false flag?"
exec newsdesk serve
