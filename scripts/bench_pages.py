"""Benchmark of the caseworker pages on a large database (a script, not a test).

    python scripts/bench_pages.py [--cases 100000] [--calls 100] [--keep]

The database is filled by scripts/fill_cases.py (PostgreSQL ``disclosure_scale``; ``--keep`` measures the one
already there), then each page is requested CALLS times through Flask's test client in this process (server
time, no network), signed in as a handler (one department's cases and those assigned to them) and as an
approver (the whole agency's), the pages interleaved call by call. Printed: median and 90th percentile per page
and user, as a Markdown table for docs/benchmark.md. Target (issue 8): every page at most 50 ms at 100,000 cases.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere
sys.path.insert(0, str(ROOT / "scripts"))

import fill_cases  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from tqdm import tqdm  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Case, User  # noqa: E402

TARGET_MS = 50
USERS = ("handler0", "approver")


def pages(case_ids: list[int], total_pages: int) -> dict[str, callable]:
    """Each page's address for the i-th call."""
    department = quote(fill_cases.DEPARTMENTS[2])
    return {
        "home (four lists with their counts)": lambda i: "/",
        "open cases, newest first": lambda i: "/cases?open=yes",
        "all cases, newest first": lambda i: "/cases",
        "overdue cases": lambda i: "/cases?overdue=yes",
        "open cases by due date": lambda i: "/cases?open=yes&sort=due",
        "one department's cases": lambda i: f"/cases?department={department}",
        "one state": lambda i: "/cases?state=under_review",
        "text search, an applicant (申请人0NN)": lambda i: "/cases?q=" + quote(f"申请人{i % 80:03d}"),
        "text search, two characters (副本)": lambda i: "/cases?q=" + quote("副本"),
        "a page in the middle": lambda i: f"/cases?page={total_pages // 2}",
        "the last page": lambda i: f"/cases?page={total_pages}",
        "a case": lambda i: f"/cases/{case_ids[i % len(case_ids)]}",
    }


def measure(app, calls: int) -> dict[tuple[str, str], list[float]]:
    timings = {}
    for username in USERS:
        client = app.test_client()
        fill_cases.sign_in(client, username)
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == username))
            visible = sa.select(Case.id).where(Case.agency_code == user.agency_code)
            if user.role == "handler":
                visible = visible.where(Case.department == user.department)
            case_ids = list(db.session.scalars(visible.order_by(Case.id.desc()).limit(calls)))
            total = db.session.scalar(sa.select(sa.func.count()).select_from(visible.subquery()))
            db.session.remove()
        addresses = pages(case_ids, -(-total // 25))
        for i in tqdm(range(calls), desc=f"pages as {username}", unit="round"):
            for name, address in addresses.items():
                start = time.perf_counter()
                response = client.get(address(i))
                timings.setdefault((name, username), []).append(time.perf_counter() - start)
                assert response.status_code == 200, (address(i), response.status_code)
    return timings


def table(timings: dict, cases: int, open_cases: int) -> str:
    lines = [f"{cases:,} cases ({open_cases:,} open); median / 90th percentile of the server time, ms",
             "", "| page | " + " | ".join(USERS) + " |", "|---|" + "---|" * len(USERS)]
    names = list(dict.fromkeys(name for name, _ in timings))
    worst = 0.0
    for name in names:
        cells = []
        for username in USERS:
            values = sorted(timings[(name, username)])
            p50, p90 = statistics.median(values) * 1000, values[int(len(values) * 0.9)] * 1000
            worst = max(worst, p50)
            cells.append(f"{p50:.1f} / {p90:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    verdict = "ok" if worst <= TARGET_MS else "FAIL"
    lines += ["", f"slowest median {worst:.1f} ms: {verdict} (target {TARGET_MS} ms)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=100, help="calls of each page per user (default 100)")
    parser.add_argument("--keep", action="store_true", help="measure the database already filled, if any")
    args = parser.parse_args()
    fill_cases.fill(fill_cases.DATABASE, args.cases, args.keep)
    app = fill_cases.app_on(fill_cases.DATABASE)
    with app.app_context():
        version = db.session.scalar(sa.text("SHOW server_version")).split()[0]
        cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        open_cases = db.session.scalar(sa.select(sa.func.count()).where(Case.closed_on.is_(None)))
        db.session.remove()
    timings = measure(app, args.calls)
    print(f"PostgreSQL {version}, Python {sys.version.split()[0]}")
    print(table(timings, cases, open_cases))


if __name__ == "__main__":
    main()
