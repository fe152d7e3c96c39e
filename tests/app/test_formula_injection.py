"""Nothing untrusted goes live in a file: every spreadsheet and CSV the tool writes (listings
in csv and xlsx, the registry's forms, the check sheet, the check report, the circular's annex,
the ledger, the discovery lists) neutralises text that Excel or WPS would take for a formula,
while numbers stay numbers (a negative score is data)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from registry.db import session_scope
from registry.filing import accounts as filing
from registry.filing import units
from registry.sheets import FORMULA_TRIGGERS, Sheet, write_csv, write_workbook
from tests.reports.test_data import FORMULA, Q3, build, settle

# what third parties (account names, unit names, post titles, notes) may begin with
PAYLOADS = [FORMULA, "+1+1", "-2+3", "@SUM(A1:A9)", ' =HYPERLINK("x")', "=cmd|' /C calc'!A0"]


def _live(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS)


def xlsx_problems(path: Path) -> list[str]:
    """Formula cells and live text in every sheet of a workbook."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name):
                return [f"{path.name}:{name} has a formula cell"]
    book = load_workbook(path)
    problems = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and _live(cell.value)):
                    problems.append(f"{path.name}:{sheet.title}!{cell.coordinate}={cell.value!r}")
    return problems


def csv_problems(text: str) -> list[str]:
    problems = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            if _live(cell) and not _number(cell):
                problems.append(repr(cell))
    return problems


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.fixture
def poisoned(tmp_path: Path) -> str:
    """The report registry, with units and accounts whose names a spreadsheet would evaluate."""
    db = str(tmp_path / "govmedia.db")
    build(db)
    settle(db)
    with session_scope(db) as s:
        for unit_id, payload in zip((1, 3, 6), PAYLOADS, strict=False):
            units.change_unit(s, str(unit_id), reason="测试", actor="t", name=f"{payload}单位{unit_id}")
        for account_id, payload in zip((3, 7, 2, 5), PAYLOADS[1:], strict=False):
            filing.change(s, account_id, reason="测试", actor="t", name=payload)
    return db


def test_every_writer_neutralises_formulas(cli, poisoned: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    commands = [
        "account list --format xlsx --out out/accounts.xlsx",
        "account list --format csv --out out/accounts.csv",
        "unit list --format xlsx --out out/units.xlsx",
        "unit list --format csv --out out/units.csv",
        "account export out/export.xlsx",
        "account export out/export.csv",
        "unit export out/unit-export.xlsx",
        "unit export out/unit-export.csv",
        "account template out/template.xlsx",
        "check list --format xlsx --out out/runs.xlsx",
        "check show 3 --format xlsx --out out/run3.xlsx",
        "check show 3 --format csv --out out/run3.csv",
        "check sheet 3 out/sheet.xlsx",
        "finding list --format xlsx --out out/findings.xlsx",
        "finding list --format csv --out out/findings.csv",
        "report check 3 --out out/check",
        f"report circular --from {Q3[0]} --to {Q3[1]} --out out/circular",
        "rectify list --format xlsx --out out/ledger.xlsx",
        "rectify list --format csv --out out/ledger.csv",
        "discover list --format xlsx --out out/candidates.xlsx",
        "registry audit --format xlsx --out out/audit.xlsx",
    ]
    for command in commands:
        result = cli(command)
        assert result.code == 0, (command, result)
    printed = [
        cli(f"{listing} --format csv")
        for listing in ("account list", "unit list", "finding list", "check show 3")
    ]
    written = sorted(p for p in out.rglob("*") if p.suffix in (".xlsx", ".csv"))
    assert {p.name for p in written} >= {"ledger.xlsx", "sheet.xlsx", "accounts.csv"}
    assert any(p.name.endswith("_附件.xlsx") for p in written)  # the circular's annex
    assert json.loads(cli("rectify list --format json").out)  # the ledger has items
    problems: list[str] = []
    for path in written:
        if path.suffix == ".xlsx":
            problems += xlsx_problems(path)
        else:
            problems += csv_problems(path.read_text(encoding="utf-8-sig"))
    for result in printed:
        assert result.code == 0, result
        problems += csv_problems(result.out)
    assert not problems, problems
    # the payloads are there, quoted: staff still read what the account is called
    names = [c.value for c in load_workbook(out / "accounts.xlsx").worksheets[0]["E"]]
    assert "'-2+3" in names and "'+1+1" in names


def test_numbers_stay_numbers_and_text_that_looks_like_one_is_quoted(tmp_path: Path) -> None:
    rows = [["-3", -3, 75.5, "\t=1+1", "\r=1+1", "@x", "普通"]]
    write_workbook(tmp_path / "t.xlsx", [Sheet("表", list("ABCDEFG"), rows)])
    write_csv(tmp_path / "t.csv", list("ABCDEFG"), rows)
    cells = [c.value for c in load_workbook(tmp_path / "t.xlsx").worksheets[0][2]]
    assert cells[:4] + cells[5:] == ["'-3", -3, 75.5, "'\t=1+1", "'@x", "普通"]
    assert cells[4].startswith("'")  # openpyxl reads a stored CR back as _x000D_
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.reader(handle))[1:]
    assert row == ["'-3", "-3", "75.5", "'\t=1+1", "'\r=1+1", "'@x", "普通"]
