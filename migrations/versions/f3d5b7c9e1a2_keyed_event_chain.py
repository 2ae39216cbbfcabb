"""The keyed event chain: events.key_id, events.data_after (the case's data after the event, the last
event's filled from the case), documents.key_id and documents.mac; every existing chain, first checked as it
was (plain SHA-256), is re-made under the current event key (HMAC-SHA256 of every column and of the letters'
kinds), and every letter gets its MAC. On PostgreSQL a trigger refuses any UPDATE or DELETE
of an event, any DELETE of a letter, and any UPDATE of a letter but the one that adds its PDF copy.

Revision ID: f3d5b7c9e1a2
Revises: e2c4a6b8d0f3
Create Date: 2026-12-01 04:00:00
"""
import datetime as dt
import hashlib
import json
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'f3d5b7c9e1a2'
down_revision = 'e2c4a6b8d0f3'
branch_labels = None
depends_on = None

GENESIS = "0" * 64

# A letter's columns that never change once issued; the PDF copy (pdf, pdf_sha256) is added once, later.
DOCUMENT_FIXED = ("id", "case_id", "event_id", "agency_code", "kind", "year", "serial", "number", "title",
                  "addressee", "filename", "content", "size", "sha256", "issued_on", "created_at", "key_id", "mac")

IMMUTABLE = f"""
CREATE FUNCTION disclosure_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'disclosure: % of % refused: the event history and issued letters are never changed', TG_OP,
    TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE FUNCTION disclosure_letter_pdf_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF ({' AND '.join(f'NEW.{c} IS NOT DISTINCT FROM OLD.{c}' for c in DOCUMENT_FIXED)})
     AND OLD.pdf IS NULL AND OLD.pdf_sha256 IS NULL THEN
    RETURN NEW;  -- the PDF copy, added once after the letter was issued
  END IF;
  RAISE EXCEPTION 'disclosure: UPDATE of documents refused: the event history and issued letters are never '
    'changed (only a missing PDF copy may be added)' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_never_change BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION disclosure_refuse_change();
CREATE TRIGGER documents_never_deleted BEFORE DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION disclosure_refuse_change();
CREATE TRIGGER documents_never_change BEFORE UPDATE ON documents
  FOR EACH ROW EXECUTE FUNCTION disclosure_letter_pdf_only();
"""


def _plain_hash(prev: str, event) -> str:
    """The chain as round 1 made it (app.services.events before this revision)."""
    payload = {"case_id": event.case_id, "seq": event.seq, "trigger": event.trigger, "from": event.from_state,
               "to": event.to_state, "reason": event.reason, "actor": event.actor_name, "role": event.role,
               "effective_on": event.effective_on.isoformat(), "recorded_at": _utc(event.recorded_at).isoformat(),
               "data": event.data, "clocks": event.clocks}
    if event.backfilled:
        payload["backfilled"] = True
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode()).hexdigest()


def _utc(value):
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def upgrade():
    from app.keys import event_keys
    from app.services.events import document_mac, event_mac

    bind = op.get_bind()
    # NOT NULL with an empty default, filled below (SQLite cannot make a column NOT NULL later without
    # rebuilding the table, which the letters' foreign key to the events forbids); PostgreSQL then drops the
    # default, so that nothing is ever written without a MAC.
    for table, column, length in (('events', 'key_id', 40), ('documents', 'key_id', 40), ('documents', 'mac', 64)):
        op.add_column(table, sa.Column(column, sa.String(length=length), nullable=False, server_default=''))
    json_type = postgresql.JSONB() if bind.dialect.name == "postgresql" else sa.JSON()
    op.add_column('events', sa.Column('data_after', json_type, nullable=True))

    # The tables as this revision knows them (not the models, which later revisions change).
    stamp = sa.DateTime(timezone=True)
    cases = sa.table('cases', *[sa.column(c) for c in ('id', 'reference', 'last_seq', 'last_hash')],
                     sa.column('data', sa.JSON))
    events = sa.table('events', *[sa.column(c) for c in (
        'id', 'case_id', 'seq', 'trigger', 'from_state', 'to_state', 'reason', 'definition_version', 'actor_id',
        'actor_name', 'role', 'prev_hash', 'hash', 'key_id')], sa.column('effective_on', sa.Date),
        sa.column('backfilled', sa.Boolean), sa.column('recorded_at', stamp), sa.column('data', sa.JSON),
        sa.column('clocks', sa.JSON), sa.column('data_after', sa.JSON))
    documents = sa.table('documents', *[sa.column(c) for c in (
        'id', 'case_id', 'event_id', 'agency_code', 'kind', 'year', 'serial', 'number', 'title', 'addressee',
        'filename', 'size', 'sha256', 'key_id', 'mac')], sa.column('issued_on', sa.Date),
        sa.column('created_at', stamp))

    # Re-make every chain under the current key, case by case; a chain that no longer verifies as it was
    # stops the upgrade, naming the case (its history was altered before the upgrade).
    keys, last = event_keys(), 0
    while True:
        batch = bind.execute(sa.select(cases).where(cases.c.id > last).order_by(cases.c.id).limit(500)).all()
        if not batch:
            break
        event_rows, document_rows, case_rows = [], [], []
        for case in batch:
            history = bind.execute(sa.select(events).where(events.c.case_id == case.id).order_by(events.c.seq)).all()
            letters = [SimpleNamespace(**r._mapping) for r in bind.execute(
                sa.select(documents).where(documents.c.case_id == case.id).order_by(documents.c.id))]
            prev_old, prev_new = GENESIS, GENESIS
            for row in history:
                if row.prev_hash != prev_old or _plain_hash(prev_old, row) != row.hash:
                    raise RuntimeError(f"case {case.reference} (id {case.id}): event {row.seq} does not match its "
                                       "hash: the history was altered before this upgrade; investigate before "
                                       "upgrading")
                prev_old = row.hash
                # The data before the upgrade were not recorded per event: the last event's are the case's now.
                data_after = case.data if row.seq == history[-1].seq else None
                event = SimpleNamespace(**{**row._mapping, "recorded_at": _utc(row.recorded_at),
                                           "prev_hash": prev_new, "key_id": keys.current, "data_after": data_after})
                issued = [d for d in letters if d.event_id == row.id]
                event.hash = event_mac(event, [d.kind for d in issued], keys)
                event_rows.append({"b_id": row.id, "prev_hash": prev_new, "hash": event.hash, "key_id": keys.current,
                                   "data_after": data_after})
                for doc in issued:
                    doc.key_id, doc.created_at = keys.current, _utc(doc.created_at)
                    document_rows.append({"b_id": doc.id, "key_id": keys.current,
                                          "mac": document_mac(doc, event.hash, keys)})
                prev_new = event.hash
            if (case.last_seq, case.last_hash) != ((history[-1].seq, prev_old) if history else (0, GENESIS)):
                raise RuntimeError(f"case {case.reference} (id {case.id}): its recorded head is not its last event: "
                                   "an event was deleted before this upgrade; investigate before upgrading")
            case_rows.append({"b_id": case.id, "last_hash": prev_new})
        for table, rows in ((events, event_rows), (documents, document_rows), (cases, case_rows)):
            if rows:
                bind.execute(table.update().where(table.c.id == sa.bindparam("b_id")), rows)
        last = batch[-1].id

    if bind.dialect.name == "postgresql":
        for table, column in (('events', 'key_id'), ('documents', 'key_id'), ('documents', 'mac')):
            op.alter_column(table, column, server_default=None)
        op.execute(IMMUTABLE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in (("documents_never_change", "documents"), ("documents_never_deleted", "documents"),
                               ("events_never_change", "events")):
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
        op.execute("DROP FUNCTION disclosure_letter_pdf_only()")
        op.execute("DROP FUNCTION disclosure_refuse_change()")
    # The chains stay keyed: round 1's verification would report every event (re-chain with a plain hash
    # if that is ever needed).
    for table, column in (('documents', 'mac'), ('documents', 'key_id'), ('events', 'data_after'), ('events', 'key_id')):
        op.drop_column(table, column)
