"""opinion_response through the service and the database: hour clocks met and missed as time moves, the
events and clock rows written, and the 舆情回应登记表 reopened with python-docx."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import docx
import pytest
import sqlalchemy as sa
from docx.table import Table

from app.models import CaseClock, Document, Event
from app.services import registration as registration_service
from config import DEMO_GZSFT
from tests.factories import fire, user
from workflow.errors import GuardFailed, InvalidData

CST = dt.timezone(dt.timedelta(hours=8))


def registration(**overrides) -> dict:
    data = {"title": "网传某律师事务所违规收费 & <待核实>", "summary": "微博话题阅读量超过100万，\n涉及律师收费投诉处理。",
            "source": "省网信办转办", "detected_at": "2026-11-27T09:30:00+08:00", "department": "律师工作管理处"}
    return data | overrides


def open_case(**overrides):
    registrar = user("registrar", role="registrar")
    return registration_service.open_case("opinion_response", registration(**overrides), actor=registrar).case


def form_rows(document: Document) -> list[tuple[str, str]]:
    """The (label, value) rows of a stored record's form, in page order, after the header row."""
    content = docx.Document(io.BytesIO(document.content))
    [table] = content.tables
    header, *rows = [[c.text for c in row.cells] for row in table.rows]
    assert header == ["项目", "内容"]
    return [tuple(row) for row in rows]


def letter_blocks(document: Document) -> list:
    """Paragraph texts and tables (rows of cell texts) of a stored letter, in page order."""
    content = docx.Document(io.BytesIO(document.content))
    return [[[c.text for c in row.cells] for row in block.rows] if isinstance(block, Table) else block.text
            for block in content.iter_inner_content()]


def events(db, case) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)))


def clock_rows(db, case) -> dict[str, CaseClock]:
    return {c.name: c for c in db.session.scalars(sa.select(CaseClock).where(CaseClock.case_id == case.id))}


def test_a_major_emergency_meets_the_five_hours_and_misses_the_press_conference_by_a_minute(db, clock):
    # Detected Friday 27 November 2026 9:30 (Shanghai), registered at 10:00 (the fixture's now).
    # Information due 9:30 + 5 h = 14:30; released 14:29 (4 h 59 min): met.
    # Press conference due 28 November 9:30 (+24 h); held 9:31 (24 h 01 min): missed by 1 minute.
    case = open_case()
    assert case.state == "detected" and case.received_on == dt.date(2026, 11, 27)
    handler = user("handler")
    fire(case, "assess", handler, severity="major_emergency", assessment="涉及群众切身利益，按重大突发事件处置")
    rows = clock_rows(db, case)
    assert set(rows) == {"information", "press_conference"}
    assert rows["information"].due_at == dt.datetime(2026, 11, 27, 14, 30, tzinfo=CST)
    assert rows["press_conference"].due_at == dt.datetime(2026, 11, 28, 9, 30, tzinfo=CST)

    clock.move_to(dt.datetime(2026, 11, 27, 14, 40, tzinfo=CST))
    fire(case, "release_information", handler, released_at="2026-11-27T14:29:00+08:00",
         channel="贵州省司法厅门户网站", content="关于网传信息的情况通报")
    clock.move_to(dt.datetime(2026, 11, 27, 20, 0, tzinfo=CST))
    fire(case, "release_information", handler, released_at="2026-11-27T19:45:00+08:00",
         channel="“贵州司法”微信公众号", content="调查进展（二）")
    # Responding before the press conference is refused, and nothing is written.
    with pytest.raises(GuardFailed) as exc:
        fire(case, "respond", handler, responded_at="2026-11-27T19:50:00+08:00", response="过早")
    assert exc.value.details["guards"][0]["name"] == "has_information_and_press_conference"
    db.session.rollback()
    assert len(events(db, case)) == 4

    clock.move_to(dt.datetime(2026, 11, 28, 10, 0, tzinfo=CST))
    fire(case, "hold_press_conference", handler, held_at="2026-11-28T09:31:00+08:00", speakers="厅长 张某",
         summary="通报调查处理进展")
    clock.move_to(dt.datetime(2026, 11, 28, 12, 30, tzinfo=CST))
    result = fire(case, "respond", handler, responded_at="2026-11-28T12:00:00+08:00",
                  response="经核查，该所存在违规收费行为，已立案调查。", channel="门户网站")

    assert case.state == "responded" and case.closed_on == dt.date(2026, 11, 28)
    history = events(db, case)
    assert [e.trigger for e in history] == ["register", "assess", "release_information", "release_information",
                                            "hold_press_conference", "respond"]
    assert history[2].data["released_at"] == "2026-11-27T14:29:00+08:00"
    assert history[2].clocks["information"]["met"] is True
    assert history[4].clocks["press_conference"]["met"] is False
    rows = clock_rows(db, case)
    assert {n: r.status for n, r in rows.items()} == {"information": "stopped", "press_conference": "stopped"}

    [document] = result.documents
    stored = db.session.scalar(sa.select(Document).where(Document.case_id == case.id))
    assert stored.id == document.id and stored.kind == "response_record"
    assert stored.number == "黔司舆回〔2026〕1号" and stored.issued_on == dt.date(2026, 11, 28)
    assert stored.sha256 == hashlib.sha256(stored.content).hexdigest()
    blocks = letter_blocks(stored)
    # A form: title and number, then the table.
    assert [b for b in blocks if b] == ["舆情回应登记表", "黔司舆回〔2026〕1号", [["项目", "内容"], *map(list, form_rows(stored))]]
    rows = form_rows(stored)
    basis = dict(rows)["法律依据"]
    assert "国办发〔2016〕80号" in basis and "国办发〔2016〕61号" in basis and "一（三）" in basis
    assert dict(rows)["联系方式"].startswith("贵州省司法厅政府信息公开工作机构（厅办公室）；地址：")
    # The matter as typed, its source and the detection instant; every release and press conference with its
    # instant; the response; each clock and whether it was met; signed by hand, sealed and dated.
    assert [row for row in rows if row[0] not in ("法律依据", "联系方式")] == [
        ("案件编号", "黔司舆情〔2026〕1号"),
        ("舆情事项", "网传某律师事务所违规收费 & <待核实>"),
        ("舆情概要", "微博话题阅读量超过100万，\n涉及律师收费投诉处理。"),
        ("舆情来源", "省网信办转办"),
        ("监测发现时间", "2026年11月27日9时30分"),
        ("承办部门", "律师工作管理处"),
        ("研判等级", "涉及特别重大、重大突发事件的政务舆情，应自监测发现时起5小时内发布权威信息、24小时内举行新闻发布会"),
        ("研判意见", "涉及群众切身利益，按重大突发事件处置"),
        ("发布权威信息", "2026年11月27日14时29分，贵州省司法厅门户网站：关于网传信息的情况通报"),
        ("发布权威信息", "2026年11月27日19时45分，“贵州司法”微信公众号：调查进展（二）"),
        ("举行新闻发布会", "2026年11月28日9时31分，发布人：厅长 张某；通报调查处理进展"),
        ("回应情况", "2026年11月28日12时00分，门户网站：经核查，该所存在违规收费行为，已立案调查。"),
        ("发布权威信息时限", "时限5小时（自监测发现时起算），应于2026年11月27日14时30分前完成；"
                      "首次发布于2026年11月27日14时29分，按时完成。"),
        ("新闻发布会时限", "时限24小时（自监测发现时起算），应于2026年11月28日9时30分前完成；"
                     "首次举行于2026年11月28日9时31分，未按时完成（超出时限1分钟）。"),
        ("经办人", ""),
        ("审核人", ""),
        ("登记单位（盖章）", "\n\n贵州省司法厅\n2026年11月28日"),
    ]


@pytest.mark.parametrize("responded_at, now, met, line", [
    # Detected 26 November 22:00: due 28 November 22:00 (+48 h, across two midnights).
    ("2026-11-28T21:59:00+08:00", dt.datetime(2026, 11, 28, 22, 10, tzinfo=CST), True,
     ("回应时限", "时限48小时（自监测发现时起算），应于2026年11月28日22时00分前完成；回应于2026年11月28日21时59分，按时完成。")),
    ("2026-11-28T22:00:00+08:00", dt.datetime(2026, 11, 28, 22, 10, tzinfo=CST), True,
     ("回应时限", "时限48小时（自监测发现时起算），应于2026年11月28日22时00分前完成；回应于2026年11月28日22时00分，按时完成。")),
    ("2026-11-29T01:05:00+08:00", dt.datetime(2026, 11, 29, 9, 0, tzinfo=CST), False,
     ("回应时限", "时限48小时（自监测发现时起算），应于2026年11月28日22时00分前完成；"
                  "回应于2026年11月29日1时05分，未按时完成（超出时限3小时5分钟）。")),
])
def test_an_ordinary_matter_is_answered_within_or_after_forty_eight_hours(db, clock, responded_at, now, met, line):
    case = open_case(detected_at="2026-11-26T22:00:00+08:00", source="网络媒体")
    assert case.received_on == dt.date(2026, 11, 26)
    handler = user("handler")
    fire(case, "assess", handler, severity="ordinary")
    assert clock_rows(db, case)["response"].due_at == dt.datetime(2026, 11, 28, 22, 0, tzinfo=CST)
    clock.move_to(now)
    result = fire(case, "respond", handler, responded_at=responded_at, response="已在门户网站作出说明。")
    assert case.state == "responded"
    row = clock_rows(db, case)["response"]
    assert row.status == "stopped"
    assert events(db, case)[-1].clocks["response"]["met"] is met
    assert events(db, case)[-1].clocks["response"]["stopped_on"] == responded_at
    rows = form_rows(result.documents[0])
    assert line in rows
    values = dict(rows)
    assert values["研判等级"] == "其他政务舆情，应自监测发现时起48小时内作出回应"
    assert values["法律依据"] == ("《国务院办公厅关于在政务公开工作中进一步做好政务舆情回应的通知》（国办发〔2016〕61号）；"
                              "《贵州省司法厅2019年政务公开工作要点》一（三）")
    # No release, no press conference, no assessment: no row for them.
    assert not {"发布权威信息", "举行新闻发布会", "发布权威信息时限", "新闻发布会时限", "研判意见"} & set(values)
    assert (values["舆情来源"], values["监测发现时间"]) == ("网络媒体", "2026年11月26日22时00分")
    answered = dt.datetime.fromisoformat(responded_at)
    assert values["回应情况"] == (f"{answered.year}年{answered.month}月{answered.day}日{answered.hour}时"
                              f"{answered.minute:02d}分，已在门户网站作出说明。")


def test_the_detection_date_in_shanghai_is_the_received_date(db):
    # 26 November 16:30 UTC is 27 November 00:30 in Shanghai.
    case = open_case(detected_at="2026-11-26T16:30:00Z")
    assert case.received_on == dt.date(2026, 11, 27)
    assert case.data["detected_at"] == "2026-11-26T16:30:00+00:00"


@pytest.mark.parametrize("detected_at", ["2026-11-27T10:00:01+08:00", "2026-11-27T09:00:00"])
def test_a_future_or_offsetless_detection_instant_is_refused_and_nothing_is_written(db, detected_at):
    with pytest.raises(InvalidData) as exc:
        open_case(detected_at=detected_at)
    assert "detected_at" in exc.value.errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_the_hours_in_force_come_from_the_agency_rule_set_and_are_recorded(app, db):
    app.config["AGENCIES"] = {**app.config["AGENCIES"],
                              "gzsft": {**DEMO_GZSFT, "rules": {"opinion_response": {"information_hours": 4}}}}
    case = open_case()
    fire(case, "assess", user("handler"), severity="major_emergency")
    row = clock_rows(db, case)["information"]
    assert row.due_at == dt.datetime(2026, 11, 27, 13, 30, tzinfo=CST)  # 9:30 + 4 h
    assert row.ops[0]["rules"] == {"information_hours": 4}
