"""The sweeper (issue 10.5): reminders by e-mail, received by a real SMTP server (aiosmtpd on 127.0.0.1), of
the time limits due within N working days or overdue, once per clock, kind and due date, to the assignee and
the approvers; lapsed windows listed as work and told to the caseworker, never acted on; several runs at
once send each reminder once; the command's output and refusals."""
from __future__ import annotations

import datetime as dt
import email
import smtplib
import socket
import threading
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.extensions import db as _db
from app.models import Reminder
from app.services.reminders import sweep
from app.services.users import create_user
from tests import factories as f
from tests.factories import CST


class Inbox:
    """What the SMTP server received: each message parsed, with its envelope's recipients. ``refuse``: how
    many of the next messages it refuses (a full mailbox, a server in trouble)."""

    def __init__(self):
        self.messages, self.lock, self.refuse, self.accepted = [], threading.Lock(), 0, 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse and self.accepted >= 1:
                self.refuse -= 1
                return "452 Requested action not taken: insufficient system storage"
            self.accepted += 1
            self.messages.append((sorted(envelope.rcpt_tos), email.message_from_bytes(envelope.content,
                                                                                        policy=policy.default)))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [m["Subject"] for _, m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(app):
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="gongkai@sft.guizhou.gov.cn",
                      PUBLIC_URL="https://disclosure.example.gov.cn/")
    yield box
    controller.stop()


@pytest.fixture
def staff(app, db):
    people = {}
    for name, role, department in (("handler", "handler", "办公室"), ("approver", "approver", "办公室"),
                                   ("other_approver", "approver", "法治调研处")):
        people[name] = f.user(name, role=role, department=department)
        people[name].email = f"{name}@sft.guizhou.gov.cn"
    _db.session.commit()
    return people


def test_a_limit_due_soon_then_overdue_is_reminded_once_each_to_the_assignee_and_the_approver(
        app, inbox, staff, clock):
    # Received Fri 2026-11-20: the reply is due Fri 2026-12-18 (20 working days).
    case = f.open_case(staff["handler"], arrived_on="2026-11-20")
    case.assignee_id = staff["handler"].id
    _db.session.commit()
    clock.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST))
    assert sweep(within_working_days=3).sent == 0 and inbox.messages == []  # 12/18 is not within 3 WD
    clock.move_to(dt.datetime(2026, 12, 15, 9, 0, tzinfo=CST))  # Tue: 12/18 is 3 working days on
    result = sweep(within_working_days=3)
    assert (result.sent, result.already) == (1, 0)
    (rcpt, message), = inbox.messages
    assert rcpt == ["approver@sft.guizhou.gov.cn", "handler@sft.guizhou.gov.cn"]  # not the other department's
    assert message["Subject"] == f"【即将到期】{case.reference} 答复期限：2026-12-18"
    assert message["From"].endswith("gongkai@sft.guizhou.gov.cn>")
    assert message.get_content() == (
        f"政府信息公开申请 {case.reference}（{case.summary}）\n当前状态：已登记\n时限：答复期限\n将于 2026-12-18 到期。\n"
        f"办理：https://disclosure.example.gov.cn/cases/{case.id}\n\n"
        "本邮件由政务公开办理服务自动发送，每个时限的每种提醒只发送一次。\n")
    assert sweep(within_working_days=3).sent == 0 and sweep(within_working_days=3).already == 1  # once
    clock.move_to(dt.datetime(2026, 12, 21, 9, 0, tzinfo=CST))  # Mon: overdue
    assert sweep(within_working_days=3).sent == 1
    assert inbox.subjects()[-1] == f"【已逾期】{case.reference} 答复期限：2026-12-18"
    assert sweep(within_working_days=3).sent == 0
    assert _db.session.scalars(sa.select(Reminder.kind).order_by(Reminder.id)).all() == ["due_soon", "overdue"]
    assert case.state == "received"  # nothing fired


def test_a_lapsed_window_is_listed_and_told_to_the_caseworker_and_nothing_is_fired(app, inbox, staff, clock):
    handler = staff["handler"]
    # Correction asked Wed 11/25: the applicant's 10 working days end Wed 12/9.
    case = f.open_case(handler, arrived_on="2026-11-24")
    clock.move_to(dt.datetime(2026, 11, 25, 9, 0, tzinfo=CST))
    f.fire(case, "request_correction", handler, items=["请写明年份"])
    clock.move_to(dt.datetime(2026, 12, 10, 9, 0, tzinfo=CST))
    result = sweep(within_working_days=1)
    assert [(i["reference"], i["clock"], i["due_on"]) for i in result.lapsed] == [
        (case.reference, "correction", "2026-12-09")]
    (rcpt, message), = inbox.messages
    assert rcpt == ["handler@sft.guizhou.gov.cn"]  # the department's handler: no assignee; no approver
    assert message["Subject"].startswith(f"【期限已届满，待承办人处理】{case.reference}")
    assert "系统不会自动处理" in message.get_content()
    assert case.state == "awaiting_correction"
    assert sweep(within_working_days=1).lapsed  # still listed as work, not mailed again
    assert len(inbox.messages) == 1


def test_an_extension_moves_the_due_date_and_it_is_reminded_again(app, inbox, staff, clock):
    case = f.open_case(staff["handler"], arrived_on="2026-11-20")
    f.fire(case, "accept", staff["handler"])
    clock.move_to(dt.datetime(2026, 12, 15, 9, 0, tzinfo=CST))
    assert sweep(within_working_days=3).sent == 1
    f.fire(case, "extend", staff["approver"], days=2, reason="档案较多")  # due Tue 12/22
    assert sweep(within_working_days=3).sent == 0  # 12/22 is 5 working days on
    clock.move_to(dt.datetime(2026, 12, 17, 9, 0, tzinfo=CST))
    assert sweep(within_working_days=3).sent == 1
    assert inbox.subjects()[-1].endswith("答复期限：2026-12-22")


def test_a_message_the_server_refuses_stops_the_run_and_is_sent_by_the_next_one_with_the_rest(
        app, inbox, staff, clock):
    cases = [f.open_case(staff["handler"], arrived_on="2026-11-20", applicant_name=f"申请人{n}") for n in range(3)]
    clock.move_to(dt.datetime(2026, 12, 21, 9, 0, tzinfo=CST))
    inbox.refuse = 1  # the second message
    with pytest.raises(smtplib.SMTPDataError):
        sweep(within_working_days=3)
    _db.session.rollback()
    assert _db.session.scalars(sa.select(Reminder.case_id)).all() == [cases[0].id]  # the one delivered
    assert sweep(within_working_days=3).sent == 2
    assert sorted(m["Subject"] for _, m in inbox.messages) == sorted(
        f"【已逾期】{c.reference} 答复期限：2026-12-18" for c in cases)


def test_nobody_to_tell_is_counted_not_sent(app, inbox, db, clock):
    registrar = create_user("registrar", role="registrar", password=f.PASSWORD)  # no e-mail address
    f.open_case(registrar, arrived_on="2026-11-20")
    clock.move_to(dt.datetime(2026, 12, 21, 9, 0, tzinfo=CST))
    result = sweep(within_working_days=3)
    assert (result.sent, result.without_recipient, inbox.messages) == (0, 1, [])


def test_runs_at_the_same_time_send_each_reminder_once(app, inbox, staff, clock):
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("several nodes run the sweeper on PostgreSQL only (SQLite serves one worker)")
    for n in range(12):
        f.open_case(staff["handler"], arrived_on="2026-11-20", applicant_name=f"申请人{n}")
    clock.move_to(dt.datetime(2026, 12, 21, 9, 0, tzinfo=CST))
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(sweep(within_working_days=3, batch=3))
                _db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(r.sent for r in results) == 12 == len(inbox.messages)
    assert len({m["Subject"] for _, m in inbox.messages}) == 12
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 12


def test_the_sweep_command_reports_and_refuses_without_a_mail_server(app, inbox, staff, clock):
    case = f.open_case(staff["handler"], arrived_on="2026-11-20")
    clock.move_to(dt.datetime(2026, 12, 21, 9, 0, tzinfo=CST))
    dry = app.test_cli_runner().invoke(args=["sweep", "--dry-run"])
    assert dry.exit_code == 0 and "1 reminder(s) to send (dry run: none sent)" in dry.output
    assert inbox.messages == []
    done = app.test_cli_runner().invoke(args=["sweep", "--within", "3"])
    assert done.exit_code == 0 and "1 reminder(s) sent, 0 already sent, 0 without a recipient" in done.output
    app.config["MAIL_SERVER"] = None
    refused = app.test_cli_runner().invoke(args=["sweep"])
    assert refused.exit_code == 1 and "MAIL_SERVER" in refused.output
    assert case.state == "received"
