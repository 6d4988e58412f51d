#!/bin/sh
# Prepare a fresh clone for the benchmarks: the package's venv, the profilers, and wrk.
#   sh bench/setup.sh
set -eu
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e '.[test]'
fi
.venv/bin/pip install --quiet -r bench/requirements.txt
if ! command -v wrk >/dev/null 2>&1; then
    # wrk comes from Debian/Ubuntu; sudo only when not already root.
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq wrk
fi
# Stoplight Prism (bench/prism.py), pinned, into bench/.prism: not a dependency of the package.
if [ ! -x bench/.prism/node_modules/.bin/prism ]; then
    mkdir -p bench/.prism
    (cd bench/.prism && npm install --no-save --no-audit --no-fund --silent @stoplight/prism-cli@5.16.0)
fi
wrk --version 2>&1 | head -1 || true
echo "bench ready: .venv/bin/python bench/run_all.py"
