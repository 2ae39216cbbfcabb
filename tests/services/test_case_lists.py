"""The case lists' query: a page past the middle (read from the other end) is the same page as read from the
front, for every order; the text search folds case, finds two characters, and follows a changed summary; a
text search counts up to a limit."""
from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db as _db
from app.models import Case, bigrams
from app.services import cases as case_service
from app.services import registration as registration_service
from tests import factories as f
from tests.api.helpers import Api
from tests.web.conftest import browser_for


@pytest.fixture
def mixed(app, db, clock):
    """Nine cases: open ones with working-day limits, a closed one (no due date), opinion cases with hour
    limits, two cases received on the same day (ties broken by id)."""
    registrar = f.user("registrar", role="registrar")
    handler = f.user("handler", role="handler")
    made = []
    for i, arrived in enumerate(["2026-11-02", "2026-11-20", "2026-11-20", "2026-11-24", "2026-11-26"]):
        made.append(f.open_case(registrar, arrived_on=arrived, applicant_name=f"Zhang San {i}"))
        clock.advance(minutes=1)
    f.fire(made[2], "withdraw", registrar)
    for hours in (30, 3):
        opinion = {"title": "网传消息待核实", "summary": "需要核实回应", "source": "省网信办转办",
                   "detected_at": (clock() - dt.timedelta(hours=hours)).isoformat(), "department": "办公室"}
        case = registration_service.open_case("opinion_response", opinion, actor=registrar).case
        f.fire(case, "assess", handler, severity="ordinary")
        made.append(case)
        clock.advance(minutes=1)
    made.append(f.open_case(registrar, arrived_on="2026-11-25", applicant_name="李四"))
    made.append(f.open_case(registrar, arrived_on="2026-11-25", applicant_name="王五"))
    return registrar


@pytest.mark.parametrize("sort", [s for key in case_service.SORTS for s in (key, f"-{key}")])
def test_every_page_is_the_same_read_from_either_end(mixed, sort):
    whole = [c.id for c in case_service.list_cases(actor=mixed, per_page=100, sort=sort).items]
    assert len(whole) == 9
    for per_page in (2, 4):
        pages = -(-len(whole) // per_page)
        for page in range(1, pages + 2):  # and one beyond the end: empty
            got = case_service.list_cases(actor=mixed, page=page, per_page=per_page, sort=sort)
            assert [c.id for c in got.items] == whole[(page - 1) * per_page:page * per_page], (per_page, page)
            assert got.total == 9 and got.total_exact


def test_the_order_by_due_puts_the_earliest_limit_first_and_cases_without_one_last(mixed):
    listed = case_service.list_cases(actor=mixed, per_page=100, sort="due").items
    limits = [c.due_by for c in listed]
    assert limits[-1] is None and all(limits[:-1])  # the withdrawn case has no running limit
    assert limits[:-1] == sorted(limits[:-1])
    # An hour limit (an opinion case) and a working-day limit are compared as instants.
    assert {c.process for c in listed[:-1]} == {"disclosure_request", "opinion_response"}


def test_the_text_search_folds_case_and_finds_two_characters(mixed):
    def found(text):
        return sorted(c.summary for c in case_service.list_cases(actor=mixed, text=text, per_page=100).items)

    assert found("zhang san 3") == ["Zhang San 3：2025年度全省律师事务所年度考核结果"]
    assert found("ZHANG SAN 3") == found("zhang san 3")
    assert found("李四") == ["李四：2025年度全省律师事务所年度考核结果"]
    assert found("四") == found("李四")  # one character: no pair to look up, still found
    assert found("李 四") == []


def test_a_changed_summary_is_searched_at_once(mixed):
    case = _db.session.scalars(Case.__table__.select().where(Case.summary.like("王五%")).with_only_columns(
        Case.id)).one()
    row = _db.session.get(Case, case)
    row.summary = "赵六：2024年度行政复议案件统计"
    _db.session.commit()
    assert [c.id for c in case_service.list_cases(actor=mixed, text="赵六").items] == [case]
    assert case_service.list_cases(actor=mixed, text="王五").items == []
    assert row.search_text == f"{row.reference} 赵六：2024年度行政复议案件统计".casefold()
    if _db.engine.dialect.name == "postgresql":
        assert row.search_grams == bigrams(f"{row.reference} 赵六：2024年度行政复议案件统计")
    else:
        assert row.search_grams is None


def test_a_text_search_counts_up_to_its_limit(mixed, monkeypatch):
    monkeypatch.setattr(case_service, "TEXT_COUNT_LIMIT", 3)
    page = case_service.list_cases(actor=mixed, text="2025年度", per_page=2)
    assert (page.total, page.total_exact, page.pages, len(page.items)) == (3, False, 2, 2)
    exact = case_service.list_cases(actor=mixed, text="李四", per_page=2)
    assert (exact.total, exact.total_exact) == (1, True)
    # Without a text the count is exact, however many.
    assert case_service.list_cases(actor=mixed, per_page=2).total == 9


def test_the_list_page_and_the_api_say_when_the_count_stopped_at_its_limit(app, mixed, monkeypatch):
    monkeypatch.setattr(case_service, "TEXT_COUNT_LIMIT", 3)
    page = browser_for(app, "registrar").get("/cases?q=2025年度").get_data(as_text=True)
    assert "共 3 余件（分页列出前 3 件，导出包括全部；可缩小检索范围）" in page
    api = Api(app, "registrar")
    answer = api.get("api.list_cases", q="2025年度").get_json()
    assert (answer["total"], answer["total_exact"]) == (3, False)
    assert api.get("api.list_cases", q="李四").get_json()["total_exact"] is True
