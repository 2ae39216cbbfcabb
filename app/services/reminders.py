"""The sweeper: reminders by e-mail of the time limits falling due or overdue, and the list of the applicants'
and third parties' windows that lapsed, as work for the caseworker. Run by a timer on every node (``flask
sweep``); several runs at once share the work (rows locked FOR UPDATE SKIP LOCKED) and each reminder goes out
once per clock, kind and due date (``reminders``: a due date moved by an extension is reminded again). It
never fires a trigger: lapsing a window is a legal act with a letter, left to a person.

Its work grows with the clocks due, not with the cases: the running clocks are found by the partial indexes
of their due date (``ix_clocks_running_due_on``, ``ix_clocks_running_due_at``)."""
from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from workflow.clock import is_late
from workflow.engine import AGENCY, APPROVER, HANDLER
from workflow.processes import get_process

from ..extensions import db
from ..models import Case, CaseClock, Reminder, User
from . import mail, timesource
from .calendar import current_calendar
from .worklist import DUE_SOON, OVERDUE, WINDOW_LAPSED

HOUR_HORIZON = dt.timedelta(hours=24)  # an hour clock is reminded within its last day
# What a reminder needs of a case: not its data, nor the search columns.
CASE_COLUMNS = load_only(Case.id, Case.agency_code, Case.reference, Case.process, Case.state, Case.department,
                         Case.assignee_id, Case.summary)
KIND_TITLES = {DUE_SOON: "即将到期", OVERDUE: "已逾期", WINDOW_LAPSED: "期限已届满，待承办人处理"}


@dataclass
class SweepResult:
    sent: int = 0  # reminders sent now
    already: int = 0  # sent by an earlier run (or another node)
    without_recipient: int = 0  # nobody with an e-mail address to tell
    lapsed: list[dict] = field(default_factory=list)  # windows that lapsed: the caseworker's work items


def sweep(*, within_working_days: int, batch: int = 500, dry_run: bool = False,
          progress: Callable[[int], None] | None = None) -> SweepResult:
    """Remind of every running clock due within the working days given (or, for an hour clock, within 24
    hours) or overdue, and list the lapsed windows. ``dry_run``: find and count, send and record nothing."""
    today, now = timesource.today(), timesource.now()
    horizon = current_calendar().add_working_days(today, within_working_days)
    result, people = SweepResult(), _People()
    with (nullcontext() if dry_run else mail.connection()) as smtp:
        # Day clocks by due date, then hour clocks by due instant: each read in the order of its partial index,
        # a batch at a time from where the last one ended, so a batch costs the same however many came before.
        for due, bound in ((CaseClock.due_on, horizon), (CaseClock.due_at, now + HOUR_HORIZON)):
            after = None
            while True:
                stmt = (sa.select(CaseClock, Case).join(Case, Case.id == CaseClock.case_id)
                        .options(CASE_COLUMNS).where(CaseClock.status == "running", due <= bound)
                        .order_by(due, CaseClock.id).limit(batch).with_for_update(of=CaseClock, skip_locked=True))
                if after is not None:
                    stmt = stmt.where(sa.tuple_(due, CaseClock.id) > after)
                rows = db.session.execute(stmt).all()
                if not rows:
                    db.session.rollback()
                    break
                last = rows[-1][0]
                after = (last.due_on if due is CaseClock.due_on else last.due_at, last.id)
                _remind(rows, result, people, smtp, today=today, now=now, dry_run=dry_run)
                if progress:
                    progress(len(rows))
    return result


def _remind(rows, result: SweepResult, people: _People, smtp, *, today: dt.date, now: dt.datetime,
            dry_run: bool) -> None:
    """One batch of locked clocks: each reminder not yet sent is claimed, sent and committed with the batch."""
    sent = set(db.session.execute(sa.select(Reminder.clock_id, Reminder.kind, Reminder.due_key)
                                  .where(Reminder.clock_id.in_([c.id for c, _ in rows]))).all())
    for clock, case in rows:
        late = is_late(clock.due_on, clock.due_at, today=today, now=now)
        kind = (OVERDUE if late else DUE_SOON) if clock.party == AGENCY else (WINDOW_LAPSED if late else None)
        if kind is None:
            continue  # a counterpart's window still open: nothing to do yet
        if kind == WINDOW_LAPSED:
            result.lapsed.append(_item(case, clock))
        due_key = (clock.due_at or clock.due_on).isoformat()
        if (clock.id, kind, due_key) in sent:
            result.already += 1
            continue
        to = people.recipients(case, kind)
        if not to:
            result.without_recipient += 1
            continue
        if not dry_run and not _send(smtp, Reminder(clock_id=clock.id, case_id=case.id, kind=kind, due_key=due_key,
                                                    recipients=to, sent_at=timesource.now()),
                                     mail.message(to, *_text(case, clock, kind))):
            result.already += 1  # another run claimed it meanwhile
            continue
        result.sent += 1
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()  # this batch's reminders; its rows unlocked


def _send(smtp, reminder: Reminder, message) -> bool:
    """Record the reminder, then send it, as one savepoint: False when another run has recorded it (the unique
    key refuses it). When the server refuses the message, the reminders sent before it are committed, this
    one is not, and the error stops the run: the next run tries this one and the rest again."""
    try:
        with db.session.begin_nested():
            db.session.add(reminder)
            db.session.flush()
            smtp.send_message(message)
    except IntegrityError:
        return False
    except (smtplib.SMTPException, OSError):
        db.session.commit()
        raise
    return True


class _People:
    """Who is told of a case's clock, looked up once per sweep for each agency, role and department: the case's
    assignee (none: the handlers of its department); for the agency's own time limits also the approvers of
    its department (none: every approver of the agency). Active users with an e-mail address only."""

    def __init__(self):
        self._users: dict[tuple, list[User]] = {}
        self._by_id: dict[int, User | None] = {}

    def recipients(self, case: Case, kind: str) -> list[str]:
        people = [self._user(case.assignee_id)] if case.assignee_id else self._of(case.agency_code, HANDLER,
                                                                                    case.department)
        if kind != WINDOW_LAPSED:
            people = people + (self._of(case.agency_code, APPROVER, case.department)
                               or self._of(case.agency_code, APPROVER))
        return sorted({p.email for p in people if p is not None and p.active and p.email})

    def _user(self, user_id: int) -> User | None:
        if user_id not in self._by_id:
            self._by_id[user_id] = db.session.get(User, user_id)
        return self._by_id[user_id]

    def _of(self, agency_code: str, role: str, department: str | None = None) -> list[User]:
        key = (agency_code, role, department)
        if key not in self._users:
            stmt = sa.select(User).where(User.agency_code == agency_code, User.role == role,
                                         User.active.is_(True), User.email != "")
            if department is not None:
                stmt = stmt.where(User.department == department)
            self._users[key] = list(db.session.scalars(stmt))
        return self._users[key]


def _item(case: Case, clock: CaseClock) -> dict:
    return {"case_id": case.id, "reference": case.reference, "process": case.process, "state": case.state,
            "department": case.department, "clock": clock.name, "title": clock.title,
            "due_on": clock.due_on.isoformat() if clock.due_on else None,
            "due_at": clock.due_at.isoformat() if clock.due_at else None}


def _text(case: Case, clock: CaseClock, kind: str) -> tuple[str, str]:
    """The message's subject (its first line) and body, from the template app/templates/mail/reminder.txt."""
    zone = timesource.local_zone()
    due = (clock.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if clock.due_at
           else clock.due_on.isoformat())
    process = get_process(case.process)
    text = current_app.jinja_env.get_template("mail/reminder.txt").render(
        case=case, clock=clock, kind=kind, kind_title=KIND_TITLES[kind], due=due, process_title=process.title,
        state_title=process.state(case.state).title, provisional=clock.provisional,
        base_url=current_app.config.get("PUBLIC_URL", "").rstrip("/"))
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")
