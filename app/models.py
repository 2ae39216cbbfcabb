"""Persistence: a small current-state row per case, an append-only event history, issued letters,
clocks, users and the calendar years an administrator loaded."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
UTC = dt.UTC
TEXT_ARRAY = sa.JSON().with_variant(ARRAY(sa.Text), "postgresql")


# -- the text search's stored form ------------------------------------------------------------------
def folded(text: str) -> str:
    """Text as the search compares it: case-folded character by character (no context, unlike lower())."""
    return text.casefold()


def bigrams(text: str) -> list[str]:
    """The distinct pairs of adjacent characters of the folded text: on PostgreSQL an inverted (GIN) index of
    the pairs finds the cases holding a two-character query (a Chinese name), which has no trigram."""
    text = folded(text)
    return sorted({text[i:i + 2] for i in range(len(text) - 1)})


class UTCDateTime(sa.TypeDecorator):
    """Aware UTC datetimes on both databases (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        # Always UTC, whatever the PostgreSQL session's TimeZone: event hashes cover the ISO text.
        if value is not None:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20))
    department: Mapped[str] = mapped_column(sa.String(100), default="")
    agency_code: Mapped[str] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    email: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")  # for the reminders

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ApiToken(db.Model):
    """A bearer token, stored only as its SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class WebSession(db.Model):
    """A signed-in browser session, kept on the server: the cookie carries only its random key (stored as
    its SHA-256). It ends at sign-out, after the configured inactivity, or when the user is deactivated."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str] = mapped_column(sa.String(20), default="")

    user: Mapped[User] = relationship()


class Case(db.Model):
    """Where a case is now; how it got there is in its events."""

    __tablename__ = "cases"
    # What the lists ask for, served by an index each (docs/benchmark.md): the open cases by urgency, for the
    # agency, a department and an assignee (partial: open cases are few beside the closed ones and the home page asks
    # only about them); every case by state or department, newest first. On PostgreSQL a trigram index of
    # search_text and an inverted index of search_grams (both made by the migration) serve the text search.
    __table_args__ = (
        sa.Index("ix_cases_open_due", "agency_code", "due_by", "id",
                 postgresql_where=sa.text("closed_on IS NULL"), sqlite_where=sa.text("closed_on IS NULL")),
        sa.Index("ix_cases_open_department", "agency_code", "department", "due_by",
                 postgresql_where=sa.text("closed_on IS NULL"), sqlite_where=sa.text("closed_on IS NULL")),
        sa.Index("ix_cases_open_assignee", "assignee_id", "due_by",
                 postgresql_where=sa.text("closed_on IS NULL"), sqlite_where=sa.text("closed_on IS NULL")),
        # department and assignee after the id: a handler's list (their department's and their own cases)
        # then reads its ids off the index alone, however deep the page.
        sa.Index("ix_cases_agency_id", "agency_code", "id", "department", "assignee_id"),
        sa.Index("ix_cases_agency_state", "agency_code", "state", "id"),
        sa.Index("ix_cases_agency_department", "agency_code", "department", "id"),
        # The annual report: the applications closed since a day, or still open (closed_on IS NULL).
        sa.Index("ix_cases_agency_process_closed", "agency_code", "process", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(sa.String(40))
    process: Mapped[str] = mapped_column(sa.String(40), index=True)
    definition_version: Mapped[int]
    reference: Mapped[str] = mapped_column(sa.String(80), unique=True)
    state: Mapped[str] = mapped_column(sa.String(40))
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1)
    department: Mapped[str] = mapped_column(sa.String(100), default="")
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    # The process's one-line summary of the data (applicant, subject): what the text search looks in.
    summary: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    # Reference and summary folded, and their pairs of characters (PostgreSQL only, GIN-indexed by the
    # migration): kept by the model whenever either changes (``_keep_search_text``).
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    search_grams: Mapped[list | None] = mapped_column(TEXT_ARRAY)
    received_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    # The earliest due date (working-day clocks) and instant (hour clocks) among the running clocks that
    # are the agency's own time limits, as shown; due_by is the last instant at which both still hold
    # (workflow.clock.last_instant_in_time): what listing, "due before" and "overdue" look at.
    due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    due_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    due_provisional: Mapped[bool] = mapped_column(default=False)
    closed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    last_effective_on: Mapped[dt.date] = mapped_column(sa.Date)
    # The head of the event chain, so appending an event needs no read of the history.
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default="0" * 64)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    clocks: Mapped[list[CaseClock]] = relationship(back_populates="case", order_by="CaseClock.id")

    __mapper_args__ = {"version_id_col": version}


@sa.event.listens_for(Case, "before_insert")
@sa.event.listens_for(Case, "before_update")
def _keep_search_text(mapper, connection, case: Case) -> None:
    text = f"{case.reference} {case.summary or ''}"
    if case.search_text != folded(text):
        case.search_text = folded(text)
        case.search_grams = bigrams(text) if connection.dialect.name == "postgresql" else None


class CaseClock(db.Model):
    """A case's clock as stored: its operations (the engine's workflow.clock.Clock is rebuilt from them)
    and its due date, kept for queries and recomputed from the operations."""

    __tablename__ = "clocks"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "name"),  # also the index on case_id
        # The sweeper and the due report look up the running clocks by due date: few beside the stopped ones.
        sa.Index("ix_clocks_running_due_on", "due_on", "id", postgresql_where=sa.text("status = 'running'"),
                 sqlite_where=sa.text("status = 'running'")),
        sa.Index("ix_clocks_running_due_at", "due_at", "id", postgresql_where=sa.text("status = 'running'"),
                 sqlite_where=sa.text("status = 'running'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    name: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(100))
    party: Mapped[str] = mapped_column(sa.String(20), default="agency")  # whose time limit: agency / counterpart
    ops: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(sa.String(20))
    due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    provisional: Mapped[bool] = mapped_column(default=False)
    # A stopped clock's outcome, as evaluated when it stopped (the timeliness statistics add these up):
    # met or late, the time it took (working days without paused ones, or hours), and whether it was extended.
    met: Mapped[bool | None]
    time_used: Mapped[float | None] = mapped_column(sa.Float)
    extended: Mapped[bool | None]

    case: Mapped[Case] = relationship(back_populates="clocks")


class Reminder(db.Model):
    """An e-mail the sweeper sent about a clock (services.reminders): once per clock, kind (due soon, overdue,
    window lapsed) and due date, so a due date moved by an extension is reminded again."""

    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("clock_id", "kind", "due_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clock_id: Mapped[int] = mapped_column(sa.ForeignKey("clocks.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    due_key: Mapped[str] = mapped_column(sa.String(40))  # the due date or instant reminded of, ISO
    recipients: Mapped[list] = mapped_column(JSON)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


FEE_STEPS = "trigger IN ('issue_fee_notice', 'fee_paid')"


class Event(db.Model):
    """One accepted transition (or system event); never updated or deleted (on PostgreSQL a trigger refuses
    it). Each carries the MAC of its predecessor, so an auditor can verify the chain (services.integrity)."""

    __tablename__ = "events"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "seq"),  # also the index on case_id
        # Section 六 of the annual report reads the fee steps of a year: few among millions of events.
        sa.Index("ix_events_fee_steps", "effective_on", "case_id",
                 postgresql_where=sa.text(FEE_STEPS), sqlite_where=sa.text(FEE_STEPS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    seq: Mapped[int]
    trigger: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str | None] = mapped_column(sa.String(40))
    to_state: Mapped[str] = mapped_column(sa.String(40))
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    definition_version: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[str] = mapped_column(sa.String(20))
    effective_on: Mapped[dt.date] = mapped_column(sa.Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict] = mapped_column(JSON)
    clocks: Mapped[dict] = mapped_column(JSON)
    # The case's data after this event, when the event changed it (the opening event always): what the case
    # looked like on a past date (services.audit.case_as_of).
    data_after: Mapped[dict | None] = mapped_column(JSON)
    # 补录: recorded afterwards, for a step done outside the service (its letter was not generated here)
    backfilled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    # The id of the key (app.keys) under which ``hash``, the MAC of every other column, was made.
    key_id: Mapped[str] = mapped_column(sa.String(40))
    hash: Mapped[str] = mapped_column(sa.String(64))


class Document(db.Model):
    """A letter exactly as issued: bytes and SHA-256, and its PDF copy with its SHA-256 when LibreOffice
    made one."""

    __tablename__ = "documents"
    __table_args__ = (sa.UniqueConstraint("agency_code", "kind", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    agency_code: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(200))
    addressee: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(300))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    issued_on: Mapped[dt.date] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The MAC of the columns above (``sha256`` standing for the bytes) and of the issuing event's MAC.
    key_id: Mapped[str] = mapped_column(sa.String(40))
    mac: Mapped[str] = mapped_column(sa.String(64))


class AuditRecord(db.Model):
    """An attempt that changed nothing but must leave a trace: a sign-in, a failed one, a sign-out, a refused
    request, an attempt to open a case out of scope (services.audit_log)."""

    __tablename__ = "audit_records"
    __table_args__ = (sa.Index("ix_audit_records_agency_id", "agency_code", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str | None] = mapped_column(sa.String(40))  # None: a name that is no user's
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(sa.String(20))
    channel: Mapped[str] = mapped_column(sa.String(10))  # api or web
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(sa.String(80))  # as typed (control characters escaped)
    role: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.String(64))
    method: Mapped[str] = mapped_column(sa.String(10))
    path: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[int | None]
    code: Mapped[str] = mapped_column(sa.String(60))
    message: Mapped[str] = mapped_column(sa.String(500))
    case_id: Mapped[int | None]  # not a foreign key: the case may not exist
    trigger: Mapped[str | None] = mapped_column(sa.String(40))


class Proceeding(db.Model):
    """An administrative reconsideration or a lawsuit about a reply, and its result when decided: what table 四
    of the annual report counts. Recording it and its decision are events of the case."""

    __tablename__ = "proceedings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    agency_code: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))  # reconsideration / lawsuit / lawsuit_after_reconsideration
    body: Mapped[str] = mapped_column(sa.String(200))  # the reconsideration body or the court
    filed_on: Mapped[dt.date] = mapped_column(sa.Date)
    result: Mapped[str | None] = mapped_column(sa.String(20))  # upheld / corrected / other; None: pending
    decided_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ReportLock(db.Model):
    """A reporting year an administrator locked: the figures, the workbook and the .docx as published, kept so
    the report can be reproduced byte for byte; afterwards no change that would alter a figure is accepted."""

    __tablename__ = "report_locks"
    __table_args__ = (sa.UniqueConstraint("agency_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int]
    locked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    locked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    figures: Mapped[dict] = mapped_column(JSON)  # table 三: row -> column -> count
    workbook: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    workbook_sha256: Mapped[str] = mapped_column(sa.String(64))
    # The report as .docx (None for a year locked before it was kept: made again from the figures).
    document: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    document_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    locked_by: Mapped[User] = relationship()


class SerialCounter(db.Model):
    """Per agency, year and kind (case references, each letter kind): the last serial number issued.
    Incremented by one atomic UPDATE."""

    __tablename__ = "serial_counters"

    agency_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class CalendarYear(db.Model):
    """An official year loaded by an administrator; overrides the chinese-calendar package."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True)
    holidays: Mapped[dict] = mapped_column(JSON)  # ISO date -> name
    workdays: Mapped[dict] = mapped_column(JSON)
    source_text: Mapped[str] = mapped_column(sa.Text)
    loaded_by: Mapped[str] = mapped_column(sa.String(80))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class IdempotencyRecord(db.Model):
    """The first response to a request carrying an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(200))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int]
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Delivery(db.Model):
    """How and when a letter reached its addressee, and who recorded it: deadlines that run from service
    (a fee notice, a consultation letter) count from ``served_on``."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), unique=True)
    method: Mapped[str] = mapped_column(sa.String(20))
    tracking_number: Mapped[str] = mapped_column(sa.String(100), default="")
    served_on: Mapped[dt.date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(sa.String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship(backref=backref("delivery", uselist=False))


class Attachment(db.Model):
    """A file kept with an event: the scan of a letter issued outside the service and recorded as 补录. Its
    SHA-256 is in the ``scan_attached`` event that followed, so the chain covers it."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(300))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_by: Mapped[str] = mapped_column(sa.String(80))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
