"""The PDF copy of every letter and record of policy_interpretation, enforcement_disclosure and opinion_response
(test_letter_pdfs.py does disclosure_request's), made by LibreOffice and read back with poppler: each is issued
again by the service test that issues it (every kind, and each variant its template words differently), each
test in a database of its own, and all of them converted in one soffice call.

The letters (退文通知单, 撤销公示说明) as a letter: the required elements printed, "— N —" on the outer edge,
the signature on the same page as the closing. The records laid out as forms (政策解读发布备案表, 行政执法决定公示,
行政执法决定不予公示记录, 舆情回应登记表): title and number, the header row at the top of every page, every label
and every value printed, each label on the same page as its value (no row split across pages), the agency's
name and the date in the last row, no page without a row, "— N —" on the outer edge."""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.security import generate_password_hash

from app import create_app, models
from app.extensions import db as _db
from app.services.timesource import FrozenClock
from config import TestingConfig
from tests import factories as f
from tests.conftest import fresh_database
from tests.factories import START
from tests.services import test_enforcement_disclosure as enforcement
from tests.services import test_opinion_response as opinion
from tests.services import test_policy_interpretation as policy
from tests.services.pdf_checks import (
    Issued,
    check_elements,
    check_form,
    check_signature,
    convert,
    needs_tools,
    stored_letters,
)

CST = dt.timezone(dt.timedelta(hours=8))


# What a service test's fixtures would give it, in a run with its own clock.
def people(clock):
    return policy.make_people()


def handler(clock):
    return enforcement.make_handler()


def approver(clock):
    return enforcement.make_approver()


def the_clock(clock):
    return clock


def parametrized(test, index: int, *fixtures) -> tuple:
    """A parametrized test with what its fixtures would give it and the values of its case ``index``."""
    [mark] = [m for m in test.pytestmark if m.name == "parametrize"]
    return (test, *fixtures, *mark.args[1][index])


def provisional_record(db, clock):
    """A 政策解读发布备案表 whose deadline counts into 2027, a year without an official holiday arrangement: the
    record notes that the deadline is provisional (12/29(1) 12/30(2) 12/31(3), 1/4(4), 1/5(5))."""
    staff = policy.make_people()
    case = policy.approved(staff)
    clock.move_to(dt.datetime(2026, 12, 28, 10, tzinfo=CST))
    f.fire(case, "publish_policy_first", staff["office"], "2026-12-28", document_number="黔司发〔2026〕30号",
           refinement_reason="政策图解尚在制作")
    clock.move_to(dt.datetime(2027, 1, 5, 10, tzinfo=CST))
    f.fire(case, "publish_interpretation", staff["drafter"], "2027-01-05", **policy.CHANNELS)


# Each run: a service test that issues letters, and what its fixtures would give it (then a case's values).
RUNS = {
    # policy_interpretation: the 退文通知单 for every approval rule that failed and a typed point (then the
    # record, same day), for typed points only; the 备案表 on time, late with its reason, provisional.
    "policy-returned-then-published": (
        policy.test_a_submission_without_interpretation_is_returned_with_a_notice_and_resubmitted, people),
    "policy-returned-for-typed-points": (
        policy.test_a_complete_submission_returned_for_typed_points_lists_only_them, people),
    "policy-published-on-time": (policy.test_the_interpretation_published_on_the_due_date_is_on_time, people),
    "policy-published-late": (policy.test_the_interpretation_published_late_is_recorded_as_late, people),
    "policy-provisional-deadline": (provisional_record, the_clock),
    # enforcement_disclosure: the 公示 of a natural person's penalty (identity number masked, channel), of a
    # legal person's licence, of a coercive measure (no channel); the 撤销公示说明 of a decision confirmed
    # illegal (with the authority) and of one ordered remade (none); the 不予公示记录 on a listed ground and on
    # another legal ground.
    "enforcement-published": (
        enforcement.test_publishing_in_time_issues_the_publication_with_every_required_element, handler),
    "enforcement-licence-published": (
        enforcement.test_a_licence_for_a_legal_person_publishes_its_credit_code_unmasked, handler),
    "enforcement-coercive-measure": (
        enforcement.test_a_coercive_measure_cites_the_publicity_rules_and_no_article_of_the_regulation, handler),
    "enforcement-withdrawn-late": parametrized(
        enforcement.test_a_revoked_decision_is_withdrawn_with_a_public_statement, 1, handler),
    "enforcement-ordered-remade": (
        enforcement.test_a_decision_ordered_remade_of_another_type_cites_no_penalty_article, handler),
    "enforcement-exempted": (enforcement.test_exempting_records_the_legal_reason_and_closes_the_case, approver),
    "enforcement-exempted-other-ground": (
        enforcement.test_an_exemption_on_another_legal_ground_prints_the_typed_provision, approver),
    # opinion_response: the 登记表 of a major emergency (releases, a press conference, a clock missed by a
    # minute) and of an ordinary matter answered late.
    "opinion-major-emergency": (
        opinion.test_a_major_emergency_meets_the_five_hours_and_misses_the_press_conference_by_a_minute, the_clock),
    "opinion-ordinary-late": parametrized(
        opinion.test_an_ordinary_matter_is_answered_within_or_after_forty_eight_hours, 2, the_clock),
}
KINDS = {"return_notice": "letter", "withdrawal_statement": "letter", "interpretation_record": "form",
         "enforcement_publication": "form", "exemption_record": "form", "response_record": "form"}


@pytest.fixture(scope="module")
def issued(database_template, tmp_path_factory) -> dict[str, list[Issued]]:
    """What each run issued, with its PDF copy (one soffice call for all of them)."""
    folder = tmp_path_factory.mktemp("records")
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        # The runs create some thirty users: with a password hashed in one round rather than scrypt's
        # quarter of a second (no password is checked here).
        patch.setattr(models, "generate_password_hash",
                      lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))
        for name, (test, *args) in RUNS.items():
            clock = FrozenClock(START)
            (folder / name).mkdir()
            app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": fresh_database(database_template, folder / name),
                                             "CLOCK": clock})
            with app.app_context():
                try:
                    test(_db, *(arg(clock) if callable(arg) else arg for arg in args))
                    found[name] = stored_letters(name)
                finally:
                    _db.session.remove()
                    _db.engine.dispose()
    convert([letter for letters in found.values() for letter in letters], folder)
    return found


@needs_tools
def test_every_kind_of_the_three_processes_is_issued(issued):
    assert {letter.kind for letters in issued.values() for letter in letters} == set(KINDS)
    assert all(issued.values())


@needs_tools
@pytest.mark.parametrize("name", RUNS)
def test_every_letter_and_record_reads_back_from_its_pdf(issued, name):
    for letter in issued[name]:
        if KINDS[letter.kind] == "form":
            check_form(letter)
        else:
            check_elements(letter)
            check_signature(letter)


@needs_tools
def test_a_record_that_runs_over_a_page_repeats_its_header_row_and_splits_no_row(issued):
    # The 登记表 of a major emergency holds the most rows: it takes two pages, the second with the header row.
    [record] = issued["opinion-major-emergency"]
    assert record.pages == 2
    check_form(record)


@needs_tools
def test_the_record_of_a_provisional_deadline_prints_its_note(issued):
    [record] = issued["policy-provisional-deadline"]
    _, rows = record.form_rows()
    assert ("备注", "期限计算涉及尚未公布官方节假日安排的年份，为临时期限。") in rows
    assert "期限计算涉及尚未公布官方节假日安排的年份，为临时期限。" in record.body()
