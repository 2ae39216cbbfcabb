"""Benchmark of the sweeper (a script, not a test): its cost per due clock on two databases of different size,
to show that its work grows with the clocks due and not with the cases (issue 10.5).

    python scripts/fill_cases.py --cases 100000 --database disclosure_100k
    python scripts/fill_cases.py --cases 1000000                     # disclosure_scale
    python scripts/bench_sweep.py [--databases disclosure_100k disclosure_scale] [--runs 3]

Each database is swept as a dry run (every due clock found, classified and its recipients looked up; nothing
sent or recorded) RUNS times; printed: the due clocks, the median time and the time per due clock.
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
from app.models import Case  # noqa: E402
from app.services.reminders import sweep  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["disclosure_100k", fill_cases.DATABASE])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--within", type=int, default=3, help="working days ahead (default 3)")
    args = parser.parse_args()
    print("| database | cases | due clocks | median | per due clock |\n|---|---:|---:|---:|---:|")
    for name in args.databases:
        app = fill_cases.app_on(name)
        with app.app_context():
            cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                result = sweep(within_working_days=args.within, dry_run=True)
                times.append(time.perf_counter() - start)
            due = result.sent + result.already + result.without_recipient
            median = statistics.median(times)
            print(f"| {name} | {cases:,} | {due:,} | {median:.2f} s | {median / max(due, 1) * 1e6:.0f} µs |")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
