"""Timeliness statistics: for the cases closed in a period (per process, optionally one department), each of
the agency's statutory time limits — the reply to an application, publishing an interpretation or an
enforcement decision, responding to public opinion — how many were met and missed, the share met, the time
used (working days, paused days excluded; or hours), and how many were extended. Every figure comes from the
clock's own operations, evaluated as the case page explains it."""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

import sqlalchemy as sa

from workflow.clock import HOURS
from workflow.engine import AGENCY
from workflow.errors import InvalidData
from workflow.fields import unstorable
from workflow.processes import PROCESSES

from ..extensions import db
from ..models import Case, CaseClock, User
from .annual_report import check_reader


@dataclass
class LimitFigures:
    process: str
    clock: str
    title: str
    kind: str
    met: int = 0
    late: int = 0
    extended: int = 0
    mean: float | None = None  # working days, or hours
    median: float | None = None

    @property
    def count(self) -> int:
        return self.met + self.late

    @property
    def share(self) -> float | None:
        return self.met / self.count if self.count else None

    @property
    def unit(self) -> str:
        return "小时" if self.kind == HOURS else "工作日"


HEADER = ["流程", "时限", "办结件数", "按时", "逾期", "按时率", "平均用时", "中位用时", "单位", "延期件数"]


def timeliness(actor: User, *, since: dt.date, until: dt.date, process: str | None = None,
               department: str | None = None) -> list[LimitFigures]:
    """Per process and agency time limit, the figures of the cases closed between the two dates: added up
    by the database from what each clock recorded when it stopped (CaseClock.met, time_used, extended)."""
    check_reader(actor)
    errors = {}
    if since > until:
        errors["until"] = ["结束日期不能早于开始日期"]
    if not (dt.date(2000, 1, 1) <= since and until <= dt.date(2100, 12, 31)):
        errors["since"] = ["日期应在 2000-01-01 至 2100-12-31 之间"]
    if process is not None and process not in PROCESSES:
        errors["process"] = [f"未知流程：{process}；可用：{', '.join(PROCESSES)}"]
    if department and (problem := unstorable(department)):
        errors["department"] = [problem]
    if errors:
        raise InvalidData("查询参数有误", errors)
    processes = [PROCESSES[process]] if process else sorted(PROCESSES.values(), key=lambda p: p.order)
    figures = {(p.name, spec.name): LimitFigures(p.name, spec.name, spec.title, spec.kind)
               for p in processes for spec in p.clocks if spec.party == AGENCY}
    where = (Case.agency_code == actor.agency_code, Case.closed_on.between(since, until),
             Case.process.in_([p.name for p in processes]), CaseClock.party == AGENCY, CaseClock.met.is_not(None))
    if department:
        where += (Case.department == department,)
    postgres = db.engine.dialect.name == "postgresql"
    median = sa.func.percentile_cont(0.5).within_group(CaseClock.time_used) if postgres else sa.null()
    stmt = (sa.select(Case.process, CaseClock.name, sa.func.count().filter(CaseClock.met.is_(True)),
                      sa.func.count().filter(CaseClock.met.is_(False)),
                      sa.func.count().filter(CaseClock.extended.is_(True)), sa.func.avg(CaseClock.time_used), median)
            .join(Case, Case.id == CaseClock.case_id).where(*where).group_by(Case.process, CaseClock.name))
    for process_name, name, met, late, extended, mean, middle in db.session.execute(stmt):
        limit = figures.get((process_name, name))
        if limit is None:
            continue  # a clock the process no longer defines
        limit.met, limit.late, limit.extended = met, late, extended
        limit.mean = round(float(mean), 1) if mean is not None else None
        limit.median = round(float(middle), 1) if middle is not None else None
    if not postgres:  # SQLite has no percentile: the median from the values, read in order, one limit at a time
        for (process_name, name), limit in figures.items():
            if limit.count:
                used = db.session.scalars(sa.select(CaseClock.time_used).join(Case, Case.id == CaseClock.case_id)
                                          .where(*where, Case.process == process_name, CaseClock.name == name)
                                          .order_by(CaseClock.time_used)).all()
                limit.median = round(statistics.median(used), 1)
    return list(figures.values())


def rows(figures: list[LimitFigures]):
    """The table for the export: the header, then a row per time limit."""
    yield HEADER
    for f in figures:
        yield [PROCESSES[f.process].title, f.title, f.count, f.met, f.late,
               f"{f.share:.1%}" if f.share is not None else "", f.mean if f.mean is not None else "",
               f.median if f.median is not None else "", f.unit, f.extended]
