"""The event history of a case: append-only, each event chained to its predecessor by a SHA-256 hash
whose head is kept on the case row; read back lazily for guards and letters, and verified for audits."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa

from workflow.engine import as_json

from ..extensions import db
from ..models import Case, Event, User
from . import timesource

GENESIS = "0" * 64


def _hash(prev: str, payload: dict) -> str:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode()).hexdigest()


def event_payload(event: Event) -> dict:
    """The fields an event's hash covers."""
    payload = {"case_id": event.case_id, "seq": event.seq, "trigger": event.trigger, "from": event.from_state,
               "to": event.to_state, "reason": event.reason, "actor": event.actor_name, "role": event.role,
               "effective_on": event.effective_on.isoformat(), "recorded_at": event.recorded_at.isoformat(),
               "data": event.data, "clocks": event.clocks}
    if event.backfilled:  # only when set, so the hashes of earlier events stay as they were
        payload["backfilled"] = True
    return payload


def append_event(case: Case, *, trigger: str, from_state: str | None, actor: User | None, actor_name: str,
                 role: str, effective_on: dt.date, data: dict, clocks: dict, backfilled: bool = False) -> Event:
    """Append the next event of the case's chain: its sequence and predecessor's hash come from the
    case row (the version check on that row serialises appends)."""
    prev_hash, seq = case.last_hash or GENESIS, (case.last_seq or 0) + 1
    event = Event(case_id=case.id, seq=seq, trigger=trigger, from_state=from_state, to_state=case.state,
                  reason=case.reason, definition_version=case.definition_version,
                  actor_id=actor.id if actor else None, actor_name=actor_name, role=role, effective_on=effective_on,
                  recorded_at=timesource.now(), data=as_json(data), clocks=clocks, backfilled=backfilled,
                  prev_hash=prev_hash, hash="")
    event.hash = _hash(prev_hash, event_payload(event))
    case.last_seq, case.last_hash = seq, event.hash
    db.session.add(event)
    return event


def events_of(case: Case) -> list[Event]:
    """A case's events, oldest first."""
    return list(db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)))


def verify_chain(case: Case) -> list[int]:
    """Sequence numbers of events whose hash does not match their content and predecessor; a history
    whose last event is not the head recorded on the case (an event deleted at the end) reports the
    recorded head's sequence number."""
    prev, broken, last_seq = GENESIS, [], 0
    for event in db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)):
        if event.prev_hash != prev or event.hash != _hash(prev, event_payload(event)):
            broken.append(event.seq)
        prev, last_seq = event.hash, event.seq
    if (last_seq, prev) != (case.last_seq, case.last_hash) and case.last_seq not in broken:
        broken.append(case.last_seq)
    return broken


class History(Sequence):
    """A case's earlier events as guards and letters see them ({trigger, effective_on, data}), read from
    the database only if one of them looks."""

    def __init__(self, case_id: int | None):
        self.case_id, self._rows = case_id, None if case_id is not None else []

    def _load(self) -> list[dict]:
        if self._rows is None:
            rows = db.session.execute(sa.select(Event.trigger, Event.effective_on, Event.data)
                                      .where(Event.case_id == self.case_id).order_by(Event.seq)).all()
            self._rows = [{"trigger": r.trigger, "effective_on": r.effective_on, "data": r.data} for r in rows]
        return self._rows

    def __getitem__(self, index):
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())
