"""Benchmark of transitions and letters through the service layer and over HTTP (a script, not a test).

    python scripts/benchmark.py [--database sqlite|postgresql|both] [--n N]

Each database is created fresh (SQLite in a temporary file; PostgreSQL as ``disclosure_bench``, created and
dropped here with psycopg), migrated with flask_migrate.upgrade(), warmed up, then timed with perf_counter:

1. service transition, no letter: on N registered disclosure_request cases, load the case with
   db.session.get (as an API request does) and call app.services.cases.fire with ``accept`` (received ->
   in_progress), then ``propose_reply`` (not_processed / petition_complaint): 2N letter-free transitions.
2. bare update+insert, the baseline for 1: the same rows written with SQLAlchemy Core statements built once,
   one transaction per transition: UPDATE the cases row (version-checked), UPDATE its reply clock row, INSERT
   an events row, with the values the service wrote for the same trigger (taken from a warm-up case).
3. letter transition: ``request_correction`` (issues a 补正告知书) through the service on N fresh cases.
   Its baseline: DocxTemplate(templates_docx/correction_notice.docx).render(context, autoescape=True) and
   save to a BytesIO, with the very context the service built (captured during the warm-up).
4. HTTP: gunicorn -w 2 serving wsgi:app on the same database; 4 threads, each with a keep-alive
   http.client connection, POST /api/v1/cases/<id>/transitions (accept, propose_reply); wall-clock rate.
The pages are measured by scripts/bench_pages.py, on a database filled by scripts/fill_cases.py.

Measures 1-3 run interleaved in 10 rounds (a tenth of each in turn), so both sides of a ratio share the
machine's load. A figure is the mean over its calls; a rate is calls / summed time.

Targets (issue): a transition without a letter costs at most 3 x the bare update+insert; issuing a letter
costs at most 1.5 x the bare render. The letter target is read as the letter's share of a transition,
(letter transition - plain transition) / bare render; the whole letter transition / bare render is shown too.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import mean, median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from tqdm import tqdm  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Case, CaseClock, Event  # noqa: E402
from app.services import cases, documents, registration, timesource  # noqa: E402
from app.services.users import create_user  # noqa: E402
from config import TestingConfig  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "disclosure_bench"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_NAME}"
PASSWORD = "benchmark-password"
WARMUP, ROUNDS, HTTP_THREADS = 30, 10, 4
PLAIN = (("accept", {}), ("propose_reply", {"outcome": "not_processed", "reason": "petition_complaint",
                                            "proper_channel": "请向贵州省信访局依照《信访工作条例》提出",
                                            "explanation": "申请内容为对律师执业行为的投诉"}))
CORRECTION = {"items": ["请写明所需政府信息的名称、文号或者便于查询的其他特征性描述",
                        "请写明申请获取政府信息的具体时间范围"]}

# The baseline's statements, built once so that each call only binds values.
CASES, CLOCKS, EVENTS = Case.__table__, CaseClock.__table__, Event.__table__
UPDATE_CASE = CASES.update().where(CASES.c.id == sa.bindparam("b_id"), CASES.c.version == sa.bindparam("b_version"))
UPDATE_CLOCK = CLOCKS.update().where(CLOCKS.c.case_id == sa.bindparam("b_id"), CLOCKS.c.name == "reply")


@contextlib.contextmanager
def database(kind: str):
    """The URL of a fresh, empty database; removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="disclosure_bench_") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    drop = f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(f"CREATE DATABASE {PG_NAME}")
    try:
        yield PG_URL
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(drop)


def open_cases(user, n: int, label: str) -> list[int]:
    reg = {"applicant_type": "natural_person", "applicant_name": "张三", "id_type": "resident_id_card",
           "id_number": "11010519491231002X", "phone": "13800000000", "address": "贵州省贵阳市云岩区中华北路1号",
           "description": "2025年度全省律师事务所年度考核结果", "form": "electronic", "delivery": "email",
           "email": "zhangsan@example.com", "channel": "in_person", "arrived_on": timesource.today().isoformat()}
    return [registration.open_case("disclosure_request", reg, actor=user).case.id
            for _ in tqdm(range(n), desc=label, leave=False, unit="case")]


def fire(user, case_id: int, trigger: str, params: dict) -> None:
    """One request's work: load the case, fire, then end the session as Flask does at the end of a request
    (so the next call loads the case from the database, not from the session's identity map)."""
    cases.fire(cases.get_case(case_id, actor=user), trigger, actor=user, params=params)
    db.session.remove()


def count_statements(fn) -> int:
    """How many SQL statements fn() sends (counted during the warm-up, never while timing)."""
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


# -- 1, 2 and 3: service transitions against their bare baselines ---------------------------------------------
def measure_service(user, n: int) -> dict:
    """Measures 1-3, interleaved in ROUNDS rounds."""
    rows, counts, (agency, letter, context) = warm_up(user)
    plain_ids, bare_ids, letter_ids = (open_cases(user, n, f"{what} cases") for what in ("plain", "bare", "letter"))

    def bare_render(_):
        documents.render(agency, letter, context)

    for _ in range(WARMUP):
        bare_render(None)
    spent = {"plain": [], "bare": [], "letter": [], "render": []}
    with tqdm(total=6 * n, desc="service and baselines", leave=False, unit="op") as bar:
        def timed(key, items, fn):
            for item in items:
                start = time.perf_counter()
                fn(item)
                spent[key].append(time.perf_counter() - start)
                bar.update()

        for k in range(ROUNDS):
            part = slice(k, None, ROUNDS)
            for trigger, params in PLAIN:
                timed("plain", plain_ids[part], lambda i, t=trigger, p=params: fire(user, i, t, p))
            for row in rows:  # the session holds no transaction here: every service call ends with a commit
                timed("bare", bare_ids[part], lambda i, r=row: bare_transition(i, r))
            timed("letter", letter_ids[part], lambda i: fire(user, i, "request_correction", CORRECTION))
            timed("render", letter_ids[part], bare_render)
    return {**spent, **counts}


def warm_up(user):
    """Run every measured operation on WARMUP cases; return the rows written for the plain triggers, the SQL
    statement counts, and the letter's template and context exactly as the service built them."""
    captured, real_render = {}, documents.render

    def capture(agency, letter, context):
        captured.update(agency=agency, letter=letter, context=context)
        return real_render(agency, letter, context)

    warm, rows, plain = open_cases(user, WARMUP, "warm-up cases"), [], 0
    for trigger, params in PLAIN:
        plain += count_statements(lambda t=trigger, p=params: fire(user, warm[0], t, p))
        rows.append(snapshot_rows(warm[0]))
    for case_id in warm[1:]:
        for trigger, params in PLAIN:
            fire(user, case_id, trigger, params)
    warm = open_cases(user, WARMUP, "warm-up cases")
    documents.render = capture  # only here, never while timing
    try:
        letter = count_statements(lambda: fire(user, warm[0], "request_correction", CORRECTION))
    finally:
        documents.render = real_render
    for case_id in warm[1:]:
        fire(user, case_id, "request_correction", CORRECTION)
    for case_id in open_cases(user, WARMUP, "warm-up cases"):
        for row in rows:
            bare_transition(case_id, row)
    counts = {"plain_statements": plain / len(PLAIN), "letter_statements": letter}
    return rows, counts, (captured["agency"], captured["letter"], captured["context"])


def snapshot_rows(case_id: int) -> dict:
    """What the service just wrote: the case row, its reply clock row and its last event."""
    case = db.session.execute(sa.select(CASES).where(CASES.c.id == case_id)).one()._asdict()
    clock = db.session.execute(sa.select(CLOCKS).where(CLOCKS.c.case_id == case_id, CLOCKS.c.name == "reply")).one()
    event = db.session.execute(sa.select(EVENTS).where(EVENTS.c.case_id == case_id)
                               .order_by(EVENTS.c.seq.desc()).limit(1)).one()._asdict()
    db.session.rollback()
    return {"version": case["version"] - 1, "seq": event["seq"],
            "case": {k: case[k] for k in ("state", "reason", "data", "due_on", "due_at", "due_provisional",
                                          "closed_on", "last_effective_on") if k in case},
            "clock": {k: getattr(clock, k) for k in ("ops", "status", "due_on", "due_at", "provisional")},
            "event": {k: v for k, v in event.items() if k not in ("id", "case_id", "seq")}}


def bare_transition(case_id: int, row: dict) -> None:
    """One transaction: UPDATE cases (version-checked), UPDATE clocks, INSERT events."""
    now = dt.datetime.now(dt.UTC)
    with db.engine.begin() as conn:
        updated = conn.execute(UPDATE_CASE, {"b_id": case_id, "b_version": row["version"],
                                             "version": row["version"] + 1, "updated_at": now, **row["case"]})
        if updated.rowcount != 1:
            raise RuntimeError(f"bare update of case {case_id} matched {updated.rowcount} rows")
        conn.execute(UPDATE_CLOCK, {"b_id": case_id, **row["clock"]})
        conn.execute(EVENTS.insert(), {"case_id": case_id, "seq": row["seq"], **row["event"], "recorded_at": now})


# -- 4: over HTTP -----------------------------------------------------------------------------------------------
def post(conn: http.client.HTTPConnection, path: str, body: dict, headers: dict) -> dict:
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    payload = response.read()
    if response.status != 201:
        raise RuntimeError(f"POST {path}: {response.status} {payload[:300]!r}")
    return json.loads(payload)


@contextlib.contextmanager
def gunicorn(url: str, log_path: str):
    """gunicorn -w 2 on a free port, the app configured from the environment; always stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, APP_ENV="development", DATABASE_URL=url)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log_path}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure_http(url: str, ids: list[int], log_path: str) -> float:
    """Transitions per second over HTTP, from HTTP_THREADS keep-alive connections."""
    warm, ids = ids[:WARMUP], ids[WARMUP:]
    with gunicorn(url, log_path) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        token = post(conn, "/api/v1/tokens", {"username": "bench_handler", "password": PASSWORD}, {})["token"]
        conn.close()
        auth = {"Authorization": f"Bearer {token}"}

        def work(chunk, bar):
            c = http.client.HTTPConnection("127.0.0.1", port)
            for case_id in chunk:
                for trigger, params in PLAIN:
                    post(c, f"/api/v1/cases/{case_id}/transitions", {"trigger": trigger, "data": params}, auth)
                    bar.update()
            c.close()

        work(warm, tqdm(disable=True))  # both workers import the app and open their pools
        with tqdm(total=len(ids) * len(PLAIN), desc="HTTP transitions", leave=False, unit="op") as bar, \
                ThreadPoolExecutor(HTTP_THREADS) as pool:
            start = time.perf_counter()
            list(pool.map(lambda k: work(ids[k::HTTP_THREADS], bar), range(HTTP_THREADS)))  # re-raises
            return len(ids) * len(PLAIN) / (time.perf_counter() - start)


# -- running and reporting --------------------------------------------------------------------------------------
def run(kind: str, n: int) -> dict:
    with database(kind) as url:
        # A fresh options dict: create_app adds SQLite's connect_args to the dict it finds, and the class
        # default is shared, so a PostgreSQL app made after a SQLite one would inherit {"timeout": 30}.
        app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}})
        with app.app_context():
            upgrade()
            user = create_user("bench_handler", role="handler", password=PASSWORD, department="办公室")
            query = "SHOW server_version" if kind == "postgresql" else "SELECT sqlite_version()"
            version = db.session.scalar(sa.text(query))
            results = {"version": version.split()[0], **measure_service(user, n)}
            http_ids = open_cases(user, n + WARMUP, "HTTP cases")
            db.session.remove()
            db.engine.dispose()
        log = Path(tempfile.gettempdir()) / f"bench_gunicorn_{kind}.log"
        return {**results, "http": measure_http(url, http_ids, str(log))}


def table(results: dict[str, dict]) -> str:
    def rate(key):
        return lambda r: (f"{len(r[key]) / sum(r[key]):,.0f} /s (mean {mean(r[key]) * 1000:.2f} ms, "
                          f"median {median(r[key]) * 1000:.2f} ms)")

    def ratio(top, bottom, target=None):
        def cell(r):
            value = top(r) / mean(r[bottom])
            return f"{value:.2f}" + ("" if target is None else " PASS" if value <= target else " FAIL")
        return cell

    rows = [
        ("Service transition, no letter (accept, propose_reply)", rate("plain")),
        ("Bare SQLAlchemy update+insert of the same rows", rate("bare")),
        ("**Plain / bare** (target ≤ 3)", ratio(lambda r: mean(r["plain"]), "bare", 3)),
        ("Service letter transition (request_correction, 补正告知书)", rate("letter")),
        ("Bare docxtpl render + save of the same letter", rate("render")),
        ("**Letter's share: (letter − plain) / render** (target ≤ 1.5)",
         ratio(lambda r: mean(r["letter"]) - mean(r["plain"]), "render", 1.5)),
        ("Whole letter transition / render (for information)", ratio(lambda r: mean(r["letter"]), "render")),
        (f"HTTP transitions (gunicorn -w 2, {HTTP_THREADS} keep-alive clients)", lambda r: f"{r['http']:,.0f} /s"),
        ("SQL statements per transition: plain / letter (bare: 3)",
         lambda r: f"{r['plain_statements']:g} / {r['letter_statements']}"),
    ]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    lines = ["| Measure | " + " | ".join(f"{names[k]} {r['version']}" for k, r in results.items()) + " |",
             "|---|" + "---:|" * len(results)]
    lines += [f"| {label} | " + " | ".join(cell(r) for r in results.values()) + " |" for label, cell in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--n", type=int, default=1000, help="cases per measure (default 1000)")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    print(f"nproc {os.cpu_count()}, Python {platform.python_version()}, SQLAlchemy {sa.__version__}, "
          f"{platform.platform()}; n = {args.n}, warm-up {WARMUP}; load average {os.getloadavg()[0]:.2f}")
    results = {kind: run(kind, args.n) for kind in tqdm(kinds, desc="databases", unit="db")}
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    print(table(results))


if __name__ == "__main__":
    main()
