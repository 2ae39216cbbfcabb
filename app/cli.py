"""Command-line commands: users, calendar years, demo set-up."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from workflow.errors import InvalidData

from .cli_audit import checkpoint_command, event_keys_command, verify_events_command
from .cli_import import import_cases_command, import_columns_command

# One office handles the applications (a handler sees their department's cases), the auditor sits elsewhere.
DEMO_USERS = [
    ("registrar", "registrar", "厅办公室"),
    ("handler", "handler", "厅办公室"),
    ("approver", "approver", "厅办公室"),
    ("auditor", "auditor", "审计处"),
    ("admin", "admin", "厅办公室"),
]
DEMO_PASSWORD = "demo-password"


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(load_calendar_command)
    app.cli.add_command(demo_users_command)
    app.cli.add_command(write_diagrams_command)
    app.cli.add_command(import_cases_command)
    app.cli.add_command(import_columns_command)
    app.cli.add_command(due_report_command)
    app.cli.add_command(verify_events_command)
    app.cli.add_command(checkpoint_command)
    app.cli.add_command(event_keys_command)
    app.cli.add_command(check_templates_command)
    app.cli.add_command(purge_expired_command)
    app.cli.add_command(sweep_command)


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="registrar, handler, approver, auditor or admin")
@click.option("--password", required=True)
@click.option("--department", default="")
@click.option("--agency", default=None, help="agency code (default: the configured default agency)")
@click.option("--email", default="", help="where the reminders of due time limits go")
@with_appcontext
def create_user_command(username, role, password, department, agency, email):
    """Create a user."""
    from .services.users import create_user

    try:
        user = create_user(username, role=role, password=password, department=department, agency_code=agency,
                           email=email)
    except InvalidData as exc:
        raise click.ClickException(json.dumps(exc.errors, ensure_ascii=False)) from None
    click.echo(f"created user {user.username} ({user.role}, {user.agency_code})")


@click.command("load-calendar")
@click.argument("path", type=click.File("r", encoding="utf-8"))
@click.option("--by", "loaded_by", default="cli", help="who loads it (recorded in the events)")
@with_appcontext
def load_calendar_command(path, loaded_by):
    """Load an official calendar year from a file (see docs/calendar.md for the format), then re-date the open
    cases in committed batches, with progress; if interrupted, run it again (nothing is re-dated twice)."""
    from tqdm import tqdm

    from .services.calendar import load_year

    try:
        with tqdm(desc="re-dating open cases", unit="case", file=sys.stderr) as bar:
            result = load_year(path.read(), loaded_by=loaded_by, progress=bar.update)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"loaded {result['year']}: {result['holidays']} holidays, {result['workdays']} make-up working days; "
               f"{result['cases_redated']} open case(s) re-dated")


@click.command("demo-users")
@with_appcontext
def demo_users_command():
    """Create the demo users (embedded SQLite default only) and print their credentials."""
    import sqlalchemy as sa
    from flask import current_app

    from .extensions import db
    from .models import User
    from .services.users import create_user

    if not current_app.config.get("DEMO_USERS") or db.engine.dialect.name != "sqlite":
        click.echo("demo users are only created on the embedded SQLite default", err=True)
        sys.exit(1)
    for username, role, department in DEMO_USERS:
        if not db.session.scalar(sa.select(User.id).where(User.username == username)):
            create_user(username, role=role, password=DEMO_PASSWORD, department=department)
        click.echo(f"  demo user {username:10s} role {role:10s} password {DEMO_PASSWORD}")


@click.command("write-diagrams")
@click.option("--out", "path", default="docs/processes.md", show_default=True)
def write_diagrams_command(path):
    """Write the process diagrams and tables (mermaid) into the docs."""
    from workflow.docs import process_markdown

    with open(path, "w", encoding="utf-8") as fh:
        fh.write(process_markdown())
    click.echo(f"wrote {path}")


@click.command("due-report")
@click.option("--agency", default=None, help="agency code (default: the configured default agency)")
@click.option("--within", default=3, show_default=True, help="working days ahead counted as due soon")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
@with_appcontext
def due_report_command(agency, within, as_json):
    """List overdue cases, cases due soon and lapsed applicant/third-party windows (for cron)."""
    from flask import current_app

    from .services.worklist import due_work

    items = due_work(agency_code=agency or current_app.config["DEFAULT_AGENCY"], within_working_days=within)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    labels = {"overdue": "已逾期", "window_lapsed": "对方期限已过", "due_soon": "即将到期"}
    for item in items:
        due = item["due_on"] or item["due_at"]
        click.echo(f"{labels[item['kind']]}\t{item['reference']}\t{item['state']}\t{item['title']}\t{due}"
                   + ("（临时）" if item["provisional"] else ""))
    click.echo(f"{len(items)} item(s)", err=True)


@click.command("check-templates")
@click.option("--agency", default=None, help="agency code (default: every configured agency)")
@with_appcontext
def check_templates_command(agency):
    """Check every letter template an agency uses (its own folder first, then templates_docx/); exit 1 and
    name each problem when one would be refused."""
    from flask import current_app

    from workflow.processes import PROCESSES

    from .services.annual_report import REPORT_TEMPLATE, report_template
    from .services.letter_templates import TemplateRejected, check_all

    letters = [kind for process in PROCESSES.values() for kind in process.letters.values()]
    codes = [agency] if agency else list(current_app.config["AGENCIES"])
    bad = 0
    for code in codes:
        settings = current_app.config["AGENCIES"][code]
        checked = check_all(settings, letters)
        try:
            report_template(settings)
            checked[REPORT_TEMPLATE] = []
        except TemplateRejected as exc:
            checked[REPORT_TEMPLATE] = list(exc.details.get("problems", [exc.message]))
        for name, problems in checked.items():
            click.echo(f"{code}\t{name}\t" + ("OK" if not problems else "；".join(problems)))
            bad += bool(problems)
    click.echo(f"{bad} template(s) refused", err=True)
    sys.exit(1 if bad else 0)


@click.command("purge-expired")
@with_appcontext
def purge_expired_command():
    """Delete expired API tokens and the answers kept for Idempotency-Key retries longer than
    IDEMPOTENCY_TTL_HOURS (run daily, e.g. by the sweeper's timer; safe to run on several nodes at once)."""
    from .services.users import purge_expired

    tokens, answers = purge_expired()
    click.echo(f"{tokens} expired token(s), {answers} idempotency record(s) deleted")


@click.command("sweep")
@click.option("--within", "within", type=click.IntRange(0, 60), default=None,
              help="working days ahead (default REMIND_WITHIN_WORKING_DAYS, 3)")
@click.option("--dry-run", is_flag=True, help="find and count, send and record nothing")
@click.option("--batch", type=click.IntRange(1, 10000), default=500, help="clocks locked and handled at a time")
@with_appcontext
def sweep_command(within, dry_run, batch):
    """E-mail the reminders of the time limits due within WITHIN working days (hour limits: 24 hours) or
    overdue, once each, to the assignee and the approvers; list the applicants' and third parties' windows
    that lapsed. Safe to run on several nodes at once (PostgreSQL); never fires a step."""
    from flask import current_app
    from tqdm import tqdm

    from .services.mail import MailNotConfigured
    from .services.reminders import sweep

    within = current_app.config["REMIND_WITHIN_WORKING_DAYS"] if within is None else within
    try:
        with tqdm(desc="sweep", unit="clock", file=sys.stderr) as bar:
            result = sweep(within_working_days=within, batch=batch, dry_run=dry_run, progress=bar.update)
    except MailNotConfigured as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    done = "to send (dry run: none sent)" if dry_run else "sent"
    click.echo(f"{result.sent} reminder(s) {done}, {result.already} already sent, "
               f"{result.without_recipient} without a recipient")
    click.echo(f"{len(result.lapsed)} lapsed window(s) awaiting a caseworker")
    for item in result.lapsed:
        click.echo(f"  {item['reference']}\t{item['title']}\t{item['due_on'] or item['due_at']}\t{item['department']}")
