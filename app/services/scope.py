"""Who sees which cases: everyone only their own agency's; a handler only their department's cases and
those assigned to them; registrars, approvers, auditors and administrators the whole agency's. Every read
and every list goes through here, so the pages and the API follow one rule."""
from __future__ import annotations

import sqlalchemy as sa

from workflow.engine import HANDLER

from ..models import Case, User


def visible_cases(actor: User):
    """The SQL condition selecting the cases an actor may see."""
    clause = Case.agency_code == actor.agency_code
    if actor.role == HANDLER:
        clause = sa.and_(clause, sa.or_(Case.department == actor.department, Case.assignee_id == actor.id))
    return clause


def may_see(actor: User, case: Case) -> bool:
    if case.agency_code != actor.agency_code:
        return False
    return actor.role != HANDLER or case.department == actor.department or case.assignee_id == actor.id
