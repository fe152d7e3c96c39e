#!/usr/bin/env bash
# make demo: the whole job, offline, on the embedded SQLite default (demo-output/govmedia.db).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/govmedia demo --out demo-output
