"""Separation of duties (issue 10.3, 四眼原则): an approver may not approve a reply they proposed themselves, nor
a submission they made; another approver may. The rule is on unless an agency sets ``four_eyes: false``. The
refusal names the rule, changes nothing, and the case page's trigger list says why beforehand."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import Event
from app.services import cases as case_service
from tests import factories as f
from tests.api.helpers import Api
from workflow.errors import NotPermitted

REPLY = {"outcome": "disclosed", "reason": "disclose", "provided": "考核结果", "obtain": "通过电子邮件发送"}


@pytest.fixture
def proposed(app, db):
    registrar = f.user("registrar", role="registrar")
    first, second = f.user("approver1", role="approver"), f.user("approver2", role="approver")
    case = f.open_case(registrar)
    f.fire(case, "accept", first)
    f.fire(case, "propose_reply", first, **REPLY)
    return case, first, second


def test_an_approver_cannot_approve_their_own_proposal_and_another_can(proposed):
    case, first, second = proposed
    events = _db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    with pytest.raises(NotPermitted) as refused:
        f.fire(case, "approve", first)
    assert refused.value.message == "审核人不能审核通过自己提出的意见，请由另一位审核人审核"
    assert refused.value.details["guards"][0]["name"] == "four_eyes"
    _db.session.rollback()
    assert (case.state, _db.session.scalar(sa.select(sa.func.count()).select_from(Event))) == ("under_review", events)
    f.fire(case, "approve", second)
    assert case.state == "disclosed"


def test_the_trigger_list_says_why_beforehand(proposed):
    case, first, second = proposed
    own = {s.trigger: s for s in case_service.triggers_of(case, actor=first)}["approve"]
    assert not own.allowed and [w["name"] for w in own.why] == ["four_eyes"]
    assert {s.trigger: s for s in case_service.triggers_of(case, actor=second)}["approve"].allowed


def test_a_proposal_made_again_by_another_is_theirs(proposed):
    """Sent back and proposed again by the second approver: now the first may approve, the second may not."""
    case, first, second = proposed
    f.fire(case, "return_for_revision", second, comment="请补充依据")
    f.fire(case, "propose_reply", second, **REPLY)
    with pytest.raises(NotPermitted):
        f.fire(case, "approve", second)
    f.fire(case, "approve", first)
    assert case.state == "disclosed"


def test_an_agency_may_turn_the_rule_off(app, proposed):
    case, first, _ = proposed
    f.set_four_eyes(False)
    f.fire(case, "approve", first)
    assert case.state == "disclosed"


def test_the_api_refuses_with_403_naming_the_rule(app, proposed):
    case, first, _ = proposed
    response = Api(app, "approver1").post("api.fire_trigger", case_id=case.id, json={"trigger": "approve"})
    body = response.get_json()
    assert response.status_code == 403 and body["code"] == "not_permitted"
    assert body["guards"][0]["basis"].startswith("四眼原则")
