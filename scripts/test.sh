#!/usr/bin/env bash
# Set up everything the tests need and run them all: lint, types, then pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k standings).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/system-deps.sh
export PATH="$PATH:/usr/sbin"   # Debian installs nats-server there

.venv/bin/ruff check feed tests bench clients
.venv/bin/ruff format --check feed tests bench clients
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
