"""The event history of a case: append-only, each event chained to its predecessor by a MAC (HMAC-SHA256
under a key kept outside the database, app.keys) whose head is kept on the case row; each letter MAC'd
with its event; read back lazily for guards and letters. Verification: app.services.integrity."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence

import sqlalchemy as sa

from workflow.engine import as_json

from ..extensions import db
from ..keys import EventKeys, event_keys
from ..models import Case, Document, Event, User
from . import timesource

GENESIS = "0" * 64


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_payload(event: Event, letters: list[str]) -> dict:
    """What an event's MAC covers: every column but its id and the MAC itself (its predecessor's MAC and
    the key's id included), and the kinds of the letters it issued."""
    return {"case_id": event.case_id, "seq": event.seq, "trigger": event.trigger, "from": event.from_state,
            "to": event.to_state, "reason": event.reason, "definition_version": event.definition_version,
            "actor_id": event.actor_id, "actor": event.actor_name, "role": event.role,
            "effective_on": event.effective_on.isoformat(), "recorded_at": event.recorded_at.isoformat(),
            "data": event.data, "clocks": event.clocks, "data_after": event.data_after,
            "backfilled": bool(event.backfilled),
            "prev": event.prev_hash, "key_id": event.key_id, "letters": sorted(letters)}


def event_mac(event: Event, letters: list[str], keys: EventKeys) -> str:
    """HMAC-SHA256 of the event's payload under the key it names."""
    return hmac.new(keys.key(event.key_id), _canonical(event_payload(event, letters)), hashlib.sha256).hexdigest()


def document_mac(doc: Document, event_mac_: str, keys: EventKeys) -> str:
    """HMAC-SHA256 of a letter's columns (its SHA-256 standing for its bytes) and its event's MAC."""
    payload = {"event": event_mac_, "case_id": doc.case_id, "agency_code": doc.agency_code, "kind": doc.kind,
               "year": doc.year, "serial": doc.serial, "number": doc.number, "title": doc.title,
               "addressee": doc.addressee, "filename": doc.filename, "size": doc.size, "sha256": doc.sha256,
               "issued_on": doc.issued_on.isoformat(), "created_at": doc.created_at.isoformat(), "key_id": doc.key_id}
    return hmac.new(keys.key(doc.key_id), _canonical(payload), hashlib.sha256).hexdigest()


def append_event(case: Case, *, trigger: str, from_state: str | None, actor: User | None, actor_name: str,
                 role: str, effective_on: dt.date, data: dict, clocks: dict, backfilled: bool = False,
                 letters: list[str] = (), data_after: dict | None = None) -> Event:
    """Append the next event of the case's chain, MAC'd under the current key: its sequence and its
    predecessor's MAC come from the case row (the version check on that row serialises appends).
    ``letters``: the kinds of the letters this event will issue (``seal_document`` each); ``data_after``:
    the case's data when this event changed it."""
    keys = event_keys()
    prev_hash, seq = case.last_hash or GENESIS, (case.last_seq or 0) + 1
    event = Event(case_id=case.id, seq=seq, trigger=trigger, from_state=from_state, to_state=case.state,
                  reason=case.reason, definition_version=case.definition_version,
                  actor_id=actor.id if actor else None, actor_name=actor_name, role=role, effective_on=effective_on,
                  recorded_at=timesource.now(), data=as_json(data), clocks=clocks, backfilled=backfilled,
                  data_after=as_json(data_after) if data_after is not None else None, prev_hash=prev_hash,
                  key_id=keys.current, hash="")
    event.hash = event_mac(event, list(letters), keys)
    case.last_seq, case.last_hash = seq, event.hash
    db.session.add(event)
    return event


def seal_document(doc: Document, event: Event) -> None:
    """Give a letter its MAC, bound to the event that issued it."""
    keys = event_keys()
    doc.key_id = keys.current
    doc.mac = document_mac(doc, event.hash, keys)


def events_of(case: Case) -> list[Event]:
    """A case's events, oldest first."""
    return list(db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)))


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
