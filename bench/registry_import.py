"""Benchmark: import 100,000 filings (备案登记表) from CSV and XLSX into SQLite and PostgreSQL.

Prints rows/s for each format and backend, with full validation (the same code path as
`govmedia account import`). Target: at least 5,000 rows/s from CSV into SQLite.

    .venv/bin/python bench/registry_import.py [--rows 100000] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from registry import db as dbmod
from registry.db import session_scope
from registry.filing.sheet import COLUMNS, import_filings
from registry.filing.units import add_unit

PLATFORMS = [
    "微信公众号",
    "新浪微博",
    "抖音",
    "快手",
    "今日头条",
    "哔哩哔哩",
    "微信视频号",
    "小红书",
    "百家号",
    "移动客户端",
    "网站",
]
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def platform_id(platform: str, n: int) -> str:
    return {
        "微信公众号": f"gh_{n:012x}",
        "新浪微博": f"{3000000000 + n}",
        "抖音": f"MS4wLjABAAAA{n:032d}",
        "快手": f"3x{n:010d}",
        "今日头条": f"{50000000 + n}",
        "哔哩哔哩": f"{n + 1000}",
        "微信视频号": f"sph{n:08d}",
        "小红书": f"{n:024x}",
        "百家号": f"{1600000000 + n}",
        "移动客户端": f"app-{n}",
        "网站": f"www{n}.gov.cn",
    }[platform]


def make_rows(n_rows: int, seed: int = 7) -> tuple[list[tuple[str, str, str]], list[list[str]]]:
    """Units (one per ~len(PLATFORMS) filings, so the one-account rule holds) and filing rows."""
    rng = random.Random(seed)
    n_units = n_rows // len(PLATFORMS) + 1
    units = []
    for i in range(n_units):
        city = 620100 + (i % 14) * 100
        county = city + 1 + (i // 14) % 90
        units.append((f"测试县{county}第{i}号单位", "county", str(county)))
    rows = []
    for n in range(n_rows):
        unit = units[n // len(PLATFORMS)][0]
        platform = PLATFORMS[n % len(PLATFORMS)]
        phone = f"13{rng.randint(100000000, 999999999)}"
        rows.append(
            [
                unit,
                platform,
                f"{unit}{platform}账号",
                platform_id(platform, n),
                f"https://example.gov.cn/a/{n}",
                "",
                "某某融媒体中心",
                "张三",
                phone,
            ]
            + [""] * (len(COLUMNS) - 9)
        )
    return units, rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([label for _, label in COLUMNS])
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [label for _, label in COLUMNS])
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()


def fresh_db(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        return str(workdir / f"bench-{uuid.uuid4().hex[:6]}.db")
    from sqlalchemy import create_engine, text

    name = f"govmedia_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_db(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    dbmod.dispose_engines()
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    engine.dispose()


def run(backend: str, path: Path, units: list[tuple[str, str, str]], workdir: Path) -> float:
    url = fresh_db(backend, workdir)
    try:
        dbmod.upgrade(url)
        with session_scope(url) as s:
            add_unit(s, name="甘肃省人民政府", level="province", region="620000", actor="bench")
            for name, level, region in units:
                add_unit(s, name=name, level=level, region=region, actor="bench")
        start = time.perf_counter()
        with session_scope(url) as s:
            result = import_filings(s, path, actor="bench")
        return result.rows / (time.perf_counter() - start)
    finally:
        drop_db(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    units, rows = make_rows(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        files = {"csv": workdir / "filings.csv", "xlsx": workdir / "filings.xlsx"}
        write_csv(files["csv"], rows)
        if "xlsx" in args.formats:
            write_xlsx(files["xlsx"], rows)
        print(f"备案导入基准：{args.rows} 行，{len(units)} 个单位")
        results = {}
        for backend in args.backends.split(","):
            for fmt in args.formats.split(","):
                rate = run(backend, files[fmt], units, workdir)
                results[(backend, fmt)] = rate
                print(f"  {fmt:5s} → {backend:9s} {rate:10,.0f} 行/秒", flush=True)
        if ("sqlite", "csv") in results:
            ok = results[("sqlite", "csv")] >= 5000
            print(f"目标 CSV→SQLite ≥ 5,000 行/秒：{'达到' if ok else '未达到'}")


if __name__ == "__main__":
    main()
