"""Verification of the record an auditor relies on: every case's event chain, its letters, and the case row
against its last event, optionally against a signed checkpoint kept outside the database.

Each event carries a MAC (HMAC-SHA256 under the key its ``key_id`` names, kept outside the database) of
every column and of the kinds of the letters it issued, chained through its predecessor's MAC; each letter
carries a MAC of its columns (its SHA-256 included) and of its event's MAC. Walked case by case in batches of
ids, one ordered scan of events and one of letters per batch: constant memory however large the database.
The first broken link of each case is reported.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ..extensions import db
from ..keys import KeyProblem, event_keys
from ..models import Case, Document, Event
from .checkpoints import Checkpoint, Head
from .events import GENESIS, document_mac, event_mac, events_of

BATCH = 500


@dataclass(frozen=True)
class Problem:
    case_id: int
    reference: str
    seq: int | None  # the first broken event's sequence number (None: the case row or a letter)
    what: str

    def __str__(self) -> str:
        where = f"事件 #{self.seq}" if self.seq is not None else "案件记录"
        return f"{self.reference}（案件 {self.case_id}）{where}：{self.what}"


def verify(*, checkpoint: Checkpoint | None = None, letters: bool = True,
           progress: Callable[[int], None] | None = None) -> Iterator[Problem]:
    """Every problem found, case by case in id order (at most one per case: its first broken link)."""
    keys = event_keys()
    heads = _Heads(checkpoint.heads()) if checkpoint else None
    last = 0
    while True:
        cases = db.session.scalars(sa.select(Case).where(Case.id > last).order_by(Case.id).limit(BATCH)).all()
        if not cases:
            break
        first, last = cases[0].id, cases[-1].id
        events = db.session.scalars(sa.select(Event).where(Event.case_id.between(first, last))
                                    .order_by(Event.case_id, Event.seq).execution_options(yield_per=1000))
        by_case = {case_id: list(rows) for case_id, rows in groupby(events, key=lambda e: e.case_id)}
        docs = _documents(first, last, with_content=letters)
        for case in cases:
            if heads is not None:
                for head in heads.missing_before(case.id):
                    yield Problem(head.case_id, "?", None, f"检查点中有此案件（最后事件 #{head.seq}），数据库中已不存在")
            problem = _verify_case(case, by_case.get(case.id, []), docs.get(case.id, []), keys,
                                   heads.get(case.id) if heads else None, letters)
            if problem:
                yield problem
        db.session.expunge_all()  # constant memory: nothing of this batch stays in the session (a command's)
        if progress:
            progress(len(cases))
    if heads is not None:
        for head in heads.missing_before(None):
            yield Problem(head.case_id, "?", None, f"检查点中有此案件（最后事件 #{head.seq}），数据库中已不存在")


def check_case(case: Case, *, letters: bool = True) -> Problem | None:
    """One case's first broken link, or None when its history, letters and row hold."""
    docs = _documents(case.id, case.id, with_content=letters).get(case.id, [])
    return _verify_case(case, events_of(case), docs, event_keys(), None, letters)


def _documents(first: int, last: int, *, with_content: bool) -> dict[int, list[Document]]:
    stmt = sa.select(Document).where(Document.case_id.between(first, last)).order_by(Document.case_id, Document.id)
    if with_content:
        stmt = stmt.options(undefer(Document.content))
    out: dict[int, list[Document]] = {}
    for doc in db.session.scalars(stmt.execution_options(yield_per=100)):
        if with_content:  # check the bytes now, keep only the verdict
            doc.content_ok = hashlib.sha256(doc.content).hexdigest() == doc.sha256
            db.session.expire(doc, ["content"])
        out.setdefault(doc.case_id, []).append(doc)
    return out


def _verify_case(case: Case, events: list[Event], docs: list[Document], keys, head: Head | None,
                 letters: bool) -> Problem | None:
    def problem(seq, what):
        return Problem(case.id, case.reference, seq, what)

    kinds: dict[int, list[str]] = {}
    for doc in docs:
        kinds.setdefault(doc.event_id, []).append(doc.kind)
    prev, expected_seq, by_id = GENESIS, 1, {}
    for event in events:
        if event.seq != expected_seq:
            return problem(expected_seq, f"缺失（下一个事件是 #{event.seq}）")
        if event.prev_hash != prev:
            return problem(event.seq, "与前一事件的链接不符（前一事件被改动、删除或替换）")
        try:
            mac = event_mac(event, sorted(kinds.get(event.id, [])), keys)
        except KeyProblem as exc:
            return problem(event.seq, f"无法验证：{exc}")
        if mac != event.hash:
            return problem(event.seq, "内容与其校验码不符（事件的某一字段或其文书被改动、删除）")
        prev, expected_seq, by_id[event.id] = event.hash, expected_seq + 1, event
    last = events[-1] if events else None
    if head is not None and (last is None or last.seq < head.seq):
        return problem(head.seq, f"缺失：检查点记录的最后事件是 #{head.seq}，数据库中只到 "
                                 f"#{last.seq if last else 0}（事件在检查点之后被删除）")
    if head is not None and next((e.hash for e in events if e.seq == head.seq), None) != head.mac:
        return problem(head.seq, "与检查点记录的校验码不符（检查点之后历史被改写）")
    if last is None:
        return problem(None, "没有任何事件")
    row = {"最后事件序号": (case.last_seq, last.seq), "链头校验码": (case.last_hash, last.hash),
           "状态": (case.state, last.to_state), "办结原因": (case.reason, last.reason),
           "流程定义版本": (case.definition_version, last.definition_version)}
    differing = [f"{name}为 {mine}，最后事件为 {theirs}" for name, (mine, theirs) in row.items() if mine != theirs]
    if differing:
        return problem(None, "与最后事件不符：" + "；".join(differing))
    for doc in docs:
        event = by_id.get(doc.event_id)
        if event is None:
            return problem(None, f"文书 {doc.number} 指向不属于本案的事件")
        try:
            ok = document_mac(doc, event.hash, keys) == doc.mac
        except KeyProblem as exc:
            return problem(event.seq, f"文书 {doc.number} 无法验证：{exc}")
        if not ok:
            return problem(event.seq, f"文书 {doc.number} 的记录与其校验码不符（字段或 SHA-256 被改动）")
        if letters and not doc.content_ok:
            return problem(event.seq, f"文书 {doc.number} 的内容与其 SHA-256 不符（文件被替换）")
    return None


class _Heads:
    """The checkpoint's heads, read alongside the cases (both by id)."""

    def __init__(self, heads: Iterator[Head]):
        self._heads, self._next = heads, next(heads, None)

    def missing_before(self, case_id: int | None) -> list[Head]:
        """Heads of cases before ``case_id`` (all remaining, for None) that the database walk skipped."""
        gone = []
        while self._next is not None and (case_id is None or self._next.case_id < case_id):
            gone.append(self._next)
            self._next = next(self._heads, None)
        return gone

    def get(self, case_id: int) -> Head | None:
        if self._next is not None and self._next.case_id == case_id:
            head, self._next = self._next, next(self._heads, None)
            return head
        return None
