"""Due work derived from the clocks, and the audit check of every case's event hash chain."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.services.worklist import due_work
from tests import factories as f
from tests.factories import CST


def test_due_work_lists_overdue_and_due_soon_cases_and_lapsed_windows_but_not_open_windows(app, db, clock):
    handler = f.user("handler", role="handler")
    # Received Mon 2026-11-02: 20 WD, 11/3-6 (4), 11/9-13 (9), 11/16-20 (14), 11/23-27 (19), 11/30 (20).
    overdue = f.open_case(handler, arrived_on="2026-11-02")
    # Received Fri 2026-11-20: due 2026-12-18, not within 3 WD of Mon 2026-12-01.
    later = f.open_case(handler, arrived_on="2026-11-20", applicant_name="李四")
    # Correction asked Wed 11/25: 10 WD window 11/26-27 (2), 11/30-12/4 (7), 12/7-9 (10): due 12/9.
    waiting = f.open_case(handler, arrived_on="2026-11-24", applicant_name="王五")
    clock.move_to(dt.datetime(2026, 11, 25, 9, 0, tzinfo=CST))
    f.fire(waiting, "request_correction", handler, items=["请写明年份"])

    clock.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST))  # Tue
    assert [(i["kind"], i["reference"], i["due_on"]) for i in due_work(agency_code="gzsft")] == [
        ("overdue", overdue.reference, "2026-11-30")]

    clock.move_to(dt.datetime(2026, 12, 10, 9, 0, tzinfo=CST))  # Thu: the correction window has lapsed
    items = due_work(agency_code="gzsft", within_working_days=6)
    assert [(i["kind"], i["reference"], i["clock"]) for i in items] == [
        ("overdue", overdue.reference, "reply"),
        ("window_lapsed", waiting.reference, "correction"),
        ("due_soon", later.reference, "reply"),  # 12/18 is 6 WD after 12/10
    ]


def test_the_due_report_command_prints_json(app, db, clock):
    handler = f.user("handler", role="handler")
    case = f.open_case(handler, arrived_on="2026-11-02")
    clock.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST))
    result = app.test_cli_runner().invoke(args=["due-report", "--json"])
    assert result.exit_code == 0, result.output
    assert f'"reference": "{case.reference}"' in result.output and '"kind": "overdue"' in result.output


def test_event_hashes_verify_whatever_the_database_session_time_zone(app, db):
    handler = f.user("handler", role="handler")
    case = f.open_case(handler)
    f.fire(case, "accept", handler)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET TIME ZONE 'Asia/Shanghai'"))
    db.session.expire_all()
    from app.services.integrity import check_case
    assert check_case(case) is None
