"""The preview of loading a calendar year: exactly the changes the load then records, computed without
writing anything."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import CalendarYear, Case, CaseClock, Event
from app.services import calendar as calendar_service
from tests import factories
from workflow.errors import InvalidData

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date.fromisoformat

YEAR_2027 = """\
year: 2027
holiday 2027-01-01..2027-01-03 元旦
holiday 2027-02-05..2027-02-13 春节
workday 2027-02-14 春节
workday 2027-02-20 春节
"""


@pytest.fixture
def cases(app, clock):
    """Two open cases with provisional due dates in 2027 (one extended into February), one closed."""
    clock.move_to(dt.datetime(2026, 12, 11, 10, tzinfo=CST))
    registrar = factories.user("li_registrar", role="registrar")
    handler = factories.user("wang_handler", role="handler")
    approver = factories.user("zhao_approver", role="approver")
    short = factories.open_case(registrar, arrived_on="2026-12-10")
    long = factories.open_case(registrar, arrived_on="2026-12-10", applicant_name="李四")
    factories.fire(long, "accept", handler)
    factories.fire(long, "extend", approver, days=20, reason="需要检索大量档案")
    closed = factories.open_case(registrar, arrived_on="2026-12-10", applicant_name="王五")
    factories.fire(closed, "withdraw", registrar)
    return SimpleNamespace(short=short, long=long, closed=closed)


def stored_state() -> tuple:
    """Everything a load would change, read through a connection of its own (only committed rows)."""
    with _db.engine.connect() as conn:
        return (conn.execute(sa.select(sa.func.count()).select_from(CalendarYear)).scalar(),
                conn.execute(sa.select(sa.func.count()).select_from(Event)).scalar(),
                sorted(conn.execute(sa.select(Case.id, Case.due_on, Case.due_provisional, Case.version)).all()),
                sorted(conn.execute(sa.select(CaseClock.id, CaseClock.due_on, CaseClock.provisional)).all()))


def test_the_preview_lists_what_the_load_then_records_and_writes_nothing(cases):
    before = stored_state()
    preview = calendar_service.preview_year(YEAR_2027)
    assert not (_db.session.new or _db.session.dirty or _db.session.deleted)
    assert stored_state() == before

    assert (preview["year"], len(preview["holidays"]), len(preview["workdays"])) == (2027, 12, 2)
    assert preview["source_now"] == "provisional" and preview["loaded"] is None
    assert (preview["cases"], preview["moved_cases"]) == (2, 1)
    listed = {(c.reference, c.clock, c.old_due_on, c.new_due_on, c.old_provisional, c.new_provisional)
              for c in preview["changes"]}
    assert listed == {
        (cases.short.reference, "reply", D("2027-01-08"), D("2027-01-08"), True, False),  # no longer provisional
        (cases.long.reference, "reply", D("2027-02-05"), D("2027-02-14"), True, False),  # 春节 moves it
    }

    calendar_service.load_year(YEAR_2027, loaded_by="admin")
    recorded = {}
    for event in _db.session.scalars(sa.select(Event).where(Event.trigger == "calendar_redated")):
        for clock, change in event.data["changes"].items():
            recorded[(event.case_id, clock)] = (change["old_due_on"], change["new_due_on"],
                                                change["old_provisional"], change["new_provisional"])
    assert recorded == {(c.case_id, c.clock): (c.old_due_on.isoformat(), c.new_due_on.isoformat(),
                                               c.old_provisional, c.new_provisional) for c in preview["changes"]}


def test_a_preview_after_the_load_finds_nothing_to_change_and_names_the_earlier_load(cases):
    calendar_service.load_year(YEAR_2027, loaded_by="admin")
    again = calendar_service.preview_year(YEAR_2027)
    assert again["changes"] == [] and again["source_now"] == "loaded"
    assert again["loaded"]["loaded_by"] == "admin"
    # A corrected file (the 春节 block ending on Thursday 2/11) is compared with the loaded year it replaces:
    # 2/1-2/4 (36-39), Friday 2/12 (40).
    corrected = calendar_service.preview_year(YEAR_2027.replace("2027-02-13 春节", "2027-02-11 春节"))
    assert [(c.reference, c.old_due_on, c.new_due_on) for c in corrected["changes"]] == [
        (cases.long.reference, D("2027-02-14"), D("2027-02-12"))]


@pytest.mark.parametrize("text, message", [
    ("", "请粘贴或上传日历文件的内容"),
    ("holiday 2027-01-01 元旦", "缺少年份行，如“year: 2027”"),
    ("year: 2027\nholiday 2027-13-01 元旦", "第 2 行（holiday 2027-13-01 元旦）：日期不存在"),
    ("year: 2027\nholiday 2027/01/01 元旦", "第 2 行（holiday 2027/01/01 元旦）：日期“2027/01/01”的格式不正确，应为 YYYY-MM-DD"),
    ("year: 2027\nholiday 2028-01-01 元旦", "2028-01-01 不在 2027 年内"),
    ("year: 2027\nholiday 2027-01-01\nworkday 2027-01-01", "2027-01-01 同时列为节假日和调休上班日"),
    ("year: 2027\nvacation 2027-01-01", "第 2 行（vacation 2027-01-01）：应为“holiday 日期 名称”或“workday 日期 名称”"),
    ("year: 2027\nholiday 2027-01-05..2027-01-01 x", "第 2 行（holiday 2027-01-05..2027-01-01 x）：日期范围的结束日早于开始日"),
    ("year: 20x7", "第 1 行（year: 20x7）：年份“20x7”应为四位数字，如“year: 2027”"),
    ("year: 2300", "年份 2300 超出范围（应在 1901 到 2199 之间）"),
    ("year: 2027\n" + "# padding\n" * 2000, "日历文件最多 20000 个字符"),
])
def test_a_bad_file_is_refused_in_chinese_with_its_line(app, text, message):
    with pytest.raises(InvalidData) as refused:
        calendar_service.preview_year(text)
    assert refused.value.errors == {"content": [message]}
