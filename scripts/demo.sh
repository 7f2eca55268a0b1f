#!/usr/bin/env bash
# Set up racefeed and replay the Tokyo 2025 men's 1500 m final to a live view.
# Extra arguments go to `racefeed replay` (e.g. scripts/demo.sh --speed 1).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
exec .venv/bin/racefeed replay tokyo-2025-m1500-final --speed 5 "$@"
