"""Command-line bulk import (flask import-cases) and the column layout of each process (flask import-columns)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from workflow.engine import ADMIN
from workflow.errors import WorkflowError

STAGES = {"validate": "校验", "import": "导入"}


@click.command("import-cases")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--process", "process_name", required=True, help="process name, e.g. enforcement_disclosure")
@click.option("--good-rows-only", is_flag=True, help="import the valid rows even when other rows have errors")
@click.option("--as", "username", default=None,
              help="the importing user (registrar, handler or admin); default: the agency's only active admin")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="how the report is written to stdout")
@click.option("--batch-size", type=click.IntRange(1, 5000), default=500, show_default=True,
              help="rows per transaction")
@with_appcontext
def import_cases_command(path, process_name, good_rows_only, username, output, batch_size):
    """Register cases from a CSV (UTF-8) or .xlsx file (see docs/bulk_import.md); exit 1 if none imported."""
    from .services.bulk_import import ALL_OR_NOTHING, GOOD_ROWS_ONLY, ImportInterrupted, import_cases

    actor = _actor(username)
    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            bars[stage] = tqdm(total=total, desc=STAGES.get(stage, stage), unit="行", file=sys.stderr)
        bars[stage].update(done - bars[stage].n)
        if done >= total:
            bars[stage].close()  # one bar at a time: validation ends before writing starts

    try:
        report = import_cases(process_name, path.read_bytes(), filename=path.name, actor=actor,
                              mode=GOOD_ROWS_ONLY if good_rows_only else ALL_OR_NOTHING, batch_size=batch_size,
                              max_rows=None, on_progress=progress)
    except ImportInterrupted as exc:
        _close(bars)
        _write_report(exc.details["report"], output)
        click.echo(exc.message, err=True)
        sys.exit(1)
    except WorkflowError as exc:
        _close(bars)
        errors = getattr(exc, "errors", None)
        raise click.ClickException(exc.message + (" " + json.dumps(errors, ensure_ascii=False) if errors else "")) from None
    _close(bars)
    _write_report(report, output)
    sys.exit(0 if report["imported"] else 1)


@click.command("import-columns")
@click.option("--process", "process_name", default=None, help="one process (default: every process)")
@click.option("--write-doc", "doc", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="refresh the generated tables of this Markdown file (docs/bulk_import.md)")
def import_columns_command(process_name, doc):
    """Print the import columns of a process as Markdown, or refresh the tables of docs/bulk_import.md."""
    from .services.import_columns import all_columns_markdown, columns_markdown, refresh_doc

    if doc is not None:
        doc.write_text(refresh_doc(doc.read_text(encoding="utf-8")), encoding="utf-8")
        click.echo(f"wrote {doc}")
        return
    click.echo(columns_markdown(process_name) if process_name else all_columns_markdown())


def _actor(username: str | None):
    from .extensions import db
    from .models import User

    if username:
        user = db.session.scalar(sa.select(User).where(User.username == username, User.active.is_(True)))
        if user is None:
            raise click.ClickException(f"用户 {username} 不存在或已停用")
        return user
    admins = db.session.scalars(sa.select(User).where(User.role == ADMIN, User.active.is_(True),
                                                      User.agency_code == current_app.config["DEFAULT_AGENCY"])).all()
    if len(admins) != 1:
        raise click.ClickException("请用 --as 指定导入人（登记人员、承办人员或系统管理员）")
    return admins[0]


def _close(bars: dict) -> None:
    for bar in bars.values():
        bar.close()


def _write_report(report: dict, output: str) -> None:
    from .services.bulk_import import bad_rows

    if output == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    bad = bad_rows(report)
    click.echo(f"{report['file']}（{report['process']}，{report['mode']}）：数据行 {report['rows']}，"
               f"有效 {report['valid']}，有错误 {bad}，已导入 {report['imported']}")
    if report["cases"]:
        click.echo(f"案件编号：{report['cases'][0]['reference']} 至 {report['cases'][-1]['reference']}")
    if report["errors"]:
        click.echo(f"{'行号':<6}{'字段':<22}错误")
        for entry in report["errors"]:
            line = "-" if entry["line"] is None else str(entry["line"])
            for field, messages in entry["errors"].items():
                for message in _messages(messages):
                    click.echo(f"{line:<8}{field:<24}{message}")


def _messages(messages) -> list[str]:
    """marshmallow messages are a list, or a dict for nested fields: flatten them to lines."""
    if isinstance(messages, dict):
        return [f"{k}: {m}" for k, v in messages.items() for m in _messages(v)]
    if isinstance(messages, list):
        return [m for item in messages for m in _messages(item)]
    return [str(messages)]
