"""Benchmark of the annual report and the timeliness statistics on a large database (a script, not a test).

    python scripts/bench_reports.py [--cases 1000000] [--calls 5] [--year 2025] [--keep]

The database is filled by scripts/fill_cases.py (``--keep`` measures the one already there); then, signed in
as the approver, each report page is requested CALLS times through Flask's test client in this process (server
time, no network). Printed: the median and the slowest call of each, as a Markdown table for docs/benchmark.md.
Target (issue 9): the annual report for one year and the statistics page each under 2 s at 1,000,000 cases.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere
sys.path.insert(0, str(ROOT / "scripts"))

import fill_cases  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Case, Event  # noqa: E402

TARGET_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="measure the database already filled, if any")
    args = parser.parse_args()
    fill_cases.fill(fill_cases.DATABASE, args.cases, args.keep)
    app = fill_cases.app_on(fill_cases.DATABASE)
    with app.app_context():
        version = db.session.scalar(sa.text("SHOW server_version")).split()[0]
        cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
        db.session.remove()
    client = app.test_client()
    fill_cases.sign_in(client, "approver")
    year = args.year
    pages = {f"annual report {year} (tables 三 and 四, fees)": f"/reports/annual/{year}",
             f"annual report {year} as .xlsx": f"/reports/annual/{year}.xlsx",
             f"annual report {year} as .docx": f"/reports/annual/{year}.docx",
             f"timeliness statistics, {year}": f"/reports/timeliness?since={year}-01-01&until={year}-12-31",
             f"one cell's cases (三（七）总计, 总计: the largest), {year}": f"/reports/annual/{year}/handled/total",
             "the same cell, page 100": f"/reports/annual/{year}/handled/total?page=100"}
    timings = {name: [] for name in pages}
    for _ in range(args.calls):
        for name, address in pages.items():
            start = time.perf_counter()
            response = client.get(address)
            timings[name].append(time.perf_counter() - start)
            assert response.status_code == 200, (address, response.status_code)
            response.close()
    print(f"PostgreSQL {version}, Python {sys.version.split()[0]}; {cases:,} cases, {events:,} events; "
          f"{args.calls} calls each")
    print("\n| page | median | slowest |\n|---|---:|---:|")
    worst = 0.0
    for name, values in timings.items():
        worst = max(worst, statistics.median(values))
        print(f"| {name} | {statistics.median(values):.2f} s | {max(values):.2f} s |")
    print(f"\nslowest median {worst:.2f} s: {'ok' if worst <= TARGET_S else 'FAIL'} (target {TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
