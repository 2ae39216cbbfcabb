"""Fill a PostgreSQL database with many cases quickly, for measuring the pages and queries at scale (a
script, not a test).

    python scripts/fill_cases.py [--cases 100000] [--database disclosure_scale] [--keep]

1. A fresh database (dropped first unless ``--keep`` and it exists), migrated with flask_migrate.upgrade().
2. Seed cases registered and driven through the service, as a caseworker would: disclosure requests received
   over the last six weeks in eight departments, left received, accepted, proposed for review, replied
   (approved) or withdrawn; and public-opinion cases with hour clocks. Their events, clocks and due dates
   are the service's own.
3. Copies of the seeds made in SQL (INSERT ... SELECT over generate_series): cases with their clocks and
   events, each copy under its own reference, department and assignee, with every date moved back by a whole
   number of weeks. Recent copies (up to six weeks back) are of every seed; older ones only of closed seeds,
   as in an office where old cases are done. About a tenth of the cases are open.

The copies' event hashes are the seeds' (a copy's chain does not verify: this database measures speed, not
the audit). The database is kept for the next measurement (scripts/bench_pages.py --keep).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from tqdm import tqdm  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Case, CaseClock, Event, User  # noqa: E402
from app.services import cases, registration, timesource  # noqa: E402
from app.services.users import create_user  # noqa: E402
from config import TestingConfig  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "disclosure_scale"
PASSWORD = "benchmark-password"
DEPARTMENTS = ("办公室", "法治调研处", "律师工作管理处", "公证工作管理处", "人民参与和促进法治处", "行政复议处",
               "法律援助处", "政治部")
SEEDS_PER_DEPARTMENT = 12
RECENT_WEEKS = 6  # copies up to this many weeks back are of every seed; older ones of closed seeds only
REPLY = {"outcome": "not_processed", "reason": "petition_complaint",
         "proper_channel": "请向贵州省信访局依照《信访工作条例》提出", "explanation": "申请内容为对律师执业行为的投诉"}


def fresh_database(name: str, keep: bool) -> bool:
    """Create the database; True when it was created (False: kept as it was)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and keep:
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def staff() -> tuple[dict[str, User], User, User]:
    handlers = {d: create_user(f"handler{i}", role="handler", password=PASSWORD, department=d)
                for i, d in enumerate(DEPARTMENTS)}
    approver = create_user("approver", role="approver", password=PASSWORD, department="办公室")
    registrar = create_user("registrar", role="registrar", password=PASSWORD, department="办公室")
    return handlers, approver, registrar


def seed(handlers: dict[str, User], approver: User, registrar: User) -> None:
    """Seed cases through the service: every kind of state a list shows."""
    today = timesource.today()
    plans = [(d, i) for d in DEPARTMENTS for i in range(SEEDS_PER_DEPARTMENT)]
    for n, (department, i) in enumerate(tqdm(plans, desc="seed cases", unit="case")):
        handler = handlers[department]
        if i == SEEDS_PER_DEPARTMENT - 1:  # public opinion, hour clocks
            detected = timesource.now() - dt.timedelta(hours=3 + n)
            data = {"title": f"网传{department}办理事项信息 第{n}号", "summary": "网络转发量较大，需核实回应。",
                    "source": "省网信办转办", "detected_at": detected.isoformat(), "department": department}
            case = registration.open_case("opinion_response", data, actor=registrar).case
            cases.fire(case, "assess", actor=handler, params={"severity": "ordinary"})
            continue
        arrived = today - dt.timedelta(days=(n * 3) % (RECENT_WEEKS * 7))
        data = {"applicant_type": "natural_person", "applicant_name": f"申请人{n:03d}", "id_type": "resident_id_card",
                "id_number": "11010519491231002X", "phone": "13800000000", "address": "贵州省贵阳市云岩区中华北路1号",
                "description": f"{department}2025年度工作情况 第{n}号", "form": "electronic", "delivery": "email",
                "email": "applicant@example.com", "channel": "in_person", "arrived_on": arrived.isoformat()}
        case = registration.open_case("disclosure_request", data, actor=registrar, department=department).case
        step = i % 6
        if step == 0:
            continue  # received
        if step == 5:
            cases.fire(case, "withdraw", actor=registrar, params={"statement": "申请人来电撤回申请"})
            continue
        cases.fire(case, "accept", actor=handler)
        if step in (2, 3, 4):
            cases.fire(case, "propose_reply", actor=handler, params=REPLY)
        if step in (3, 4):
            cases.fire(case, "approve", actor=approver)
    db.session.commit()


def copy(copies: int, handlers: dict[str, User]) -> None:
    """Copies of the seeds in SQL: cases, then their clocks and events, in chunks with progress."""
    case_columns = [c.name for c in Case.__table__.columns]
    handler_ids = "ARRAY[" + ",".join(str(handlers[d].id) for d in DEPARTMENTS) + "]"
    departments = "ARRAY[" + ",".join(f"'{d}'" for d in DEPARTMENTS) + "]::varchar[]"
    seed_max = db.session.scalar(sa.select(sa.func.max(Case.id)))
    closed = db.session.scalar(sa.select(sa.func.count()).where(Case.closed_on.is_not(None)))
    # Copy g (1..copies) of seed k: case id seed_max + g * seed_max + k; dates moved back `shift` days, where
    # a copy whose number is a multiple of ten is recent (0..RECENT_WEEKS-1 weeks) and any other one is old
    # (RECENT_WEEKS weeks to about three years) and made of a closed seed only.
    shift = f"(CASE WHEN g % 10 = 0 THEN 7 * ((g / 10) % {RECENT_WEEKS}) ELSE 7 * ({RECENT_WEEKS} + g % 150) END)"
    which = "(g % 10 = 0 OR s.closed_on IS NOT NULL)"
    expressions = {
        "id": f"{seed_max} + g * {seed_max} + s.id",
        "reference": "s.reference || '-' || g",
        "department": f"({departments})[1 + (g + s.id) % {len(DEPARTMENTS)}]",
        "assignee_id": f"CASE WHEN g % 3 = 0 THEN ({handler_ids})[1 + (g + s.id) % {len(DEPARTMENTS)}] END",
        "summary": "s.summary || ' 副本' || g",
        # models.folded and models.bigrams in SQL (lower() is casefold() for this text)
        "search_text": "lower(s.reference || '-' || g || ' ' || s.summary || ' 副本' || g)",
        "search_grams": "fill_bigrams(lower(s.reference || '-' || g || ' ' || s.summary || ' 副本' || g))",
        "received_on": f"s.received_on - {shift}",
        "due_on": f"s.due_on - {shift}",
        "due_at": f"s.due_at - make_interval(days => {shift})",
        "closed_on": f"s.closed_on - {shift}",
        "last_effective_on": f"s.last_effective_on - {shift}",
        "created_at": f"s.created_at - make_interval(days => {shift})",
        "updated_at": f"s.updated_at - make_interval(days => {shift})",
    }
    select = ", ".join(expressions.get(c, f"s.{c}") for c in case_columns)
    children = {CaseClock.__table__: {"due_on": f"s.due_on - {shift}",
                                      "due_at": f"s.due_at - make_interval(days => {shift})"},
                Event.__table__: {"effective_on": f"s.effective_on - {shift}",
                                  "recorded_at": f"s.recorded_at - make_interval(days => {shift})"}}
    db.session.execute(sa.text(
        "CREATE OR REPLACE FUNCTION fill_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ "
        "SELECT coalesce(array_agg(DISTINCT substr(t, i, 2) ORDER BY substr(t, i, 2)), '{}') "
        "FROM generate_series(1, length(t) - 1) AS i $$"))
    chunk = 50
    with tqdm(total=copies, desc=f"copies of {seed_max} seeds ({closed} closed)", unit="copy") as bar:
        for start in range(1, copies + 1, chunk):
            series = f"generate_series({start}, {min(copies, start + chunk - 1)}) AS g"
            db.session.execute(sa.text(
                f"INSERT INTO cases ({', '.join(case_columns)}) SELECT {select} "
                f"FROM cases s CROSS JOIN {series} WHERE s.id <= {seed_max} AND {which}"))
            for table, moved in children.items():
                columns = [c.name for c in table.columns if c.name != "id"]
                values = ", ".join(moved.get(c, f"s.{c}") for c in columns).replace(
                    "s.case_id", f"{seed_max} + g * {seed_max} + s.case_id")
                db.session.execute(sa.text(
                    f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {values} FROM {table.name} s "
                    f"JOIN cases c ON c.id = s.case_id CROSS JOIN {series} "
                    f"WHERE s.case_id <= {seed_max} AND (g % 10 = 0 OR c.closed_on IS NOT NULL)"))
            db.session.commit()
            bar.update(min(chunk, copies - start + 1))
    db.session.execute(sa.text("DROP FUNCTION fill_bigrams(text)"))
    db.session.commit()


def url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def app_on(name: str):
    """The application on a filled database (the benchmarks' own)."""
    return create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url(name), "SQLALCHEMY_ENGINE_OPTIONS": {}})


def sign_in(client, username: str) -> None:
    """Sign a test client in as one of the filled database's users, through the sign-in page."""
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.status_code


def fill(name: str, cases: int, keep: bool = False) -> None:
    """A database of about ``cases`` cases (kept as it is with ``keep`` when it exists)."""
    if not fresh_database(name, keep):
        print(f"{name} exists, kept")
        return
    app = app_on(name)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        handlers, approver, registrar = staff()
        seed(handlers, approver, registrar)
        seeds = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        closed = db.session.scalar(sa.select(sa.func.count()).where(Case.closed_on.is_not(None)))
        # Per ten copies: ten of every closed seed and one of every open seed.
        per_ten = 10 * closed + (seeds - closed)
        copy(max(1, round((cases - seeds) * 10 / per_ten)), handlers)
        db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('cases', 'id'), max(id)) FROM cases"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        open_ = db.session.scalar(sa.select(sa.func.count()).where(Case.closed_on.is_(None)))
        events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
        db.session.remove()
        db.engine.dispose()
    print(f"{name}: {total:,} cases ({open_:,} open), {events:,} events in {time.perf_counter() - started:.0f} s; "
          f"users handler0..handler{len(DEPARTMENTS) - 1}, approver, registrar (password {PASSWORD})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="about how many cases in all (default 100000)")
    parser.add_argument("--database", default=DATABASE, help=f"PostgreSQL database name (default {DATABASE})")
    parser.add_argument("--keep", action="store_true", help="keep the database if it exists")
    args = parser.parse_args()
    fill(args.database, args.cases, args.keep)


if __name__ == "__main__":
    main()
