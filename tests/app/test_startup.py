"""A command that only reads or writes the registry does not load the report stack, Scrapy or
the similarity index (the figure itself is measured in bench/startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from registry import db as dbmod
from tests.factories import CITY, active_account, small_registry

HEAVY = ("pandas", "matplotlib", "scrapy", "twisted", "numpy", "docx", "docxtpl", "openpyxl", "xlsxwriter")
PROBE = (
    "import json, sys; from monitor.app.cli.main import main; code = main(sys.argv[1:]);"
    f"print(json.dumps([code, sorted(m for m in {HEAVY!r} if m in sys.modules)]), file=sys.stderr)"
)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["account", "list"],
        ["account", "approve", "{pending}"],
        ["unit", "list", "--format", "json"],
        ["discover", "list"],
        ["registry", "audit"],
    ],
)
def test_registry_commands_load_no_heavy_library(tmp_path: Path, args: list[str]) -> None:
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    active_account(db, unit=CITY, platform="weibo", name="兰州发布", platform_id="1669879400")
    from registry.db import session_scope
    from registry.filing.accounts import file_account

    with session_scope(db) as s:
        pending = file_account(
            s, unit=CITY, platform="wechat", name="兰州发布", platform_id="gh_0123456789ab", actor="t"
        ).id
    dbmod.dispose_engines()
    argv = ["--db", db, *[a.format(pending=pending) for a in args]]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=Path(__file__).parents[2]
    )
    code, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert code == 0, done.stderr
    assert loaded == [], f"{' '.join(args)} imported {loaded}"
