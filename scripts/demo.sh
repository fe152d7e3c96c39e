#!/usr/bin/env bash
# make demo: the whole job, offline, on the embedded SQLite default (demo-output/govmedia.db).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/govmedia demo --out demo-output
echo
echo "网页工作台：.venv/bin/govmedia demo --out demo-output --web （重建演示库后在 http://127.0.0.1:8000/ 启动，打印各角色的演示用户和密码）"
