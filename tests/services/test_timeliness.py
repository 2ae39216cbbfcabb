"""Timeliness statistics (issue 9.4): per process and time limit, met and missed, the share met, the time used
(working days without the paused ones, or hours) and extensions, for the cases closed in a period."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import CaseClock
from app.services.timeliness import timeliness
from tests import factories as f
from tests.api.helpers import Api
from tests.factories import CST
from tests.web.conftest import browser_for
from workflow.errors import InvalidData, NotPermitted

D = dt.date.fromisoformat
REPLY = {"outcome": "disclosed", "reason": "disclose", "provided": "考核结果", "obtain": "通过电子邮件发送"}


@pytest.fixture
def closed(app, db, clock):
    s = {name: f.user(name, role=role) for name, role in (("registrar", "registrar"), ("handler", "handler"),
                                                           ("approver", "approver"))}
    s["auditor"] = f.user("auditor", role="auditor", department="审计处")
    # In time: received Fri 10/30, replied Mon 11/9: 11/2-6 (5) + 11/9 (6) -> 6 working days used.
    quick = f.open_case(s["registrar"], arrived_on="2026-10-30")
    f.fire(quick, "accept", s["handler"], "2026-11-02")
    f.fire(quick, "propose_reply", s["handler"], "2026-11-06", **REPLY)
    clock.move_to(dt.datetime(2026, 11, 9, 10, 0, tzinfo=CST))
    f.fire(quick, "approve", s["approver"])
    # Extended by 5 and replied in time: received Mon 10/12, due 11/9 (20 WD) + 5 -> 11/16; replied 11/13.
    extended = f.open_case(s["registrar"], arrived_on="2026-10-12", applicant_name="李四")
    clock.move_to(dt.datetime(2026, 11, 6, 10, 0, tzinfo=CST))
    f.fire(extended, "accept", s["handler"])
    f.fire(extended, "extend", s["approver"], days=5, reason="档案较多")
    clock.move_to(dt.datetime(2026, 11, 13, 10, 0, tzinfo=CST))
    f.fire(extended, "propose_reply", s["handler"], **REPLY)
    f.fire(extended, "approve", s["approver"])
    # Late: received Thu 10/8 (after National Day), due 11/5; replied 11/13.
    late = f.open_case(s["registrar"], arrived_on="2026-10-08", applicant_name="王五")
    f.fire(late, "accept", s["handler"])
    f.fire(late, "propose_reply", s["handler"], **REPLY)
    f.fire(late, "approve", s["approver"])
    clock.move_to(dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    return s, quick, extended, late


def by_clock(figures):
    return {(x.process, x.clock): x for x in figures}


def test_the_reply_limit_counts_met_late_extended_and_the_working_days_used(closed):
    s, quick, extended, late = closed
    figures = by_clock(timeliness(s["auditor"], since=D("2026-11-01"), until=D("2026-11-30"),
                                  process="disclosure_request"))
    reply = figures[("disclosure_request", "reply")]
    assert (reply.count, reply.met, reply.late, reply.extended) == (3, 2, 1, 1)
    assert reply.share == pytest.approx(2 / 3) and reply.unit == "工作日"
    # Working days used, counted by hand: the quick one 11/2-6 and 11/9 = 6; the extended one 10/13-11/13 = 24;
    # the late one 10/9, 10/10 (a Saturday worked for National Day) and 10/12-11/13 = 27.
    assert (reply.mean, reply.median) == (round((6 + 24 + 27) / 3, 1), 24)
    stored = _db.session.execute(sa.select(CaseClock.case_id, CaseClock.met, CaseClock.time_used, CaseClock.extended)
                                 .where(CaseClock.name == "reply").order_by(CaseClock.case_id)).all()
    assert [tuple(r) for r in stored] == [(quick.id, True, 6, False), (extended.id, True, 24, True),
                                          (late.id, False, 27, False)]
    # Another period, another department: nothing.
    assert by_clock(timeliness(s["auditor"], since=D("2026-10-01"), until=D("2026-10-31"),
                               process="disclosure_request"))[("disclosure_request", "reply")].count == 0
    assert by_clock(timeliness(s["auditor"], since=D("2026-11-01"), until=D("2026-11-30"),
                               department="法治调研处"))[("disclosure_request", "reply")].count == 0


def test_refusals_of_the_statistics(closed):
    s = closed[0]
    with pytest.raises(NotPermitted):
        timeliness(s["handler"], since=D("2026-11-01"), until=D("2026-11-30"))
    with pytest.raises(InvalidData) as bad:
        timeliness(s["auditor"], since=D("2026-12-01"), until=D("2026-11-30"), process="nope")
    assert set(bad.value.errors) == {"until", "process"}


def test_the_statistics_page_chart_and_api(app, closed):
    page = browser_for(app, "auditor").get("/reports/timeliness?since=2026-11-01&until=2026-11-30")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and "66.7%" in html and "答复期限" in html
    export = browser_for(app, "auditor").get("/reports/timeliness?since=2026-11-01&until=2026-11-30&format=xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    export.close()
    body = Api(app, "auditor").get("api.timeliness_report", since="2026-11-01", until="2026-11-30",
                                   process="disclosure_request").get_json()
    reply = next(x for x in body["items"] if x["clock"] == "reply")
    assert (reply["count"], reply["met"], reply["late"], reply["extended"]) == (3, 2, 1, 1)
    bad = browser_for(app, "auditor").get("/reports/timeliness?since=yesterday")
    assert bad.status_code == 422
