"""Letters: numbered from a per-agency, per-year, per-kind sequence, rendered once from the .docx
template inside the transaction that issues them, stored as issued with their SHA-256; then, after that
transaction, a PDF copy of each made by LibreOffice and stored beside it."""
from __future__ import annotations

import hashlib
import io
import logging

import docx
import sqlalchemy as sa
from docx.oxml.ns import qn
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import undefer

from workflow.engine import LetterKind
from workflow.letters import LetterInput, check_complete

from ..extensions import db
from ..models import Case, Document, SerialCounter, User
from . import letter_templates, pdf, timesource
from .errors import NotFound
from .events import seal_document
from .scope import may_see

log = logging.getLogger(__name__)


def next_number(agency_code: str, year: int, kind: str, count: int = 1) -> int:
    """The next serial of a sequence (the first of ``count`` consecutive ones): an insert-if-missing and
    one atomic UPDATE ... RETURNING, so two transactions never get the same number (the second waits for
    the first's row lock)."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(SerialCounter).values(agency_code=agency_code, year=year, kind=kind, last_value=0)
                       .on_conflict_do_nothing())
    return db.session.execute(
        sa.update(SerialCounter).where(SerialCounter.agency_code == agency_code, SerialCounter.year == year, SerialCounter.kind == kind)
        .values(last_value=SerialCounter.last_value + count).returning(SerialCounter.last_value)).scalar_one() - count + 1


def format_number(agency: dict, code: str, year: int, serial: int) -> str:
    return f"{agency['short_name']}{code}〔{year}〕{serial}号"


def render(agency: dict, letter: LetterKind, context: dict) -> bytes:
    """The letter's .docx: its template (the agency's own, else the default), checked, filled in."""
    return letter_templates.render(agency, letter, context)


def issue(letter: LetterKind, *, case, event, agency: dict, make_input) -> Document:
    """Number, build, check, render and store one letter. ``make_input(kind, number, issued_on)`` returns
    the LetterInput; a missing required element raises LetterIncomplete and the transaction rolls back."""
    issued_on = timesource.today()  # the day it is generated, never backdated (letters.md "Dates on letters")
    year = issued_on.year
    serial = next_number(agency["code"], year, f"letter:{letter.name}")
    number = format_number(agency, letter.code, year, serial)
    inp: LetterInput = make_input(letter.name, number, issued_on)
    context = letter.build(inp)
    check_complete(letter.name, context, letter.required)
    content = render(agency, letter, context)
    doc = Document(case_id=case.id, event_id=event.id, agency_code=agency["code"], kind=letter.name, year=year,
                   serial=serial, number=number, title=context["title"], addressee=context["addressee"],
                   filename=f"{number}{context['title']}.docx", content=content, size=len(content),
                   sha256=hashlib.sha256(content).hexdigest(), issued_on=issued_on, created_at=timesource.now())
    seal_document(doc, event)
    db.session.add(doc)
    return doc


def get_document(document_id: int, *, actor: User) -> Document:
    """A letter of the actor's agency, content included."""
    doc = db.session.get(Document, document_id, options=[undefer(Document.content)])
    if doc is None or not may_see(actor, db.session.get(Case, doc.case_id)):
        raise NotFound(f"文书 {document_id} 不存在")
    return doc


def paragraphs(content: bytes) -> list[str]:
    """The text of a letter, paragraph by paragraph (tables row by row), as a page shows a draft."""
    document = docx.Document(io.BytesIO(content))
    out = []
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}p"):
            out.append("".join(t.text or "" for t in block.iter(qn("w:t"))))
        elif block.tag.endswith("}tbl"):
            for row in block.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in row.iter(qn("w:tc"))]
                out.append("　".join(cells))
    return out


def add_pdfs(docs: list[Document]) -> None:
    """A PDF copy of letters just issued, made after the transaction that issued them has committed (one
    conversion takes about a second, too long to hold the letter-number lock) and stored in a short
    transaction of its own. The letters stand as issued when LibreOffice is missing (LETTER_PDF "auto")
    or switched off ("off"), or when the conversion fails: they then have no PDF copy, never a wrong one."""
    if not docs or current_app.config.get("LETTER_PDF", "auto") == "off":
        return
    try:
        pdfs = pdf.to_pdf([doc.content for doc in docs])
    except (pdf.ConversionFailed, OSError) as exc:
        log.error("no PDF copy of letters %s: %s", ", ".join(doc.number for doc in docs), exc)
        return
    if pdfs is None:
        return
    for doc, content in zip(docs, pdfs, strict=True):
        doc.pdf, doc.pdf_sha256 = content, hashlib.sha256(content).hexdigest()
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("PDF copies of letters %s not stored", ", ".join(doc.number for doc in docs))


def get_document_pdf(document_id: int, *, actor: User) -> Document:
    """A letter of the actor's agency with its PDF copy; NotFound when it has none."""
    doc = db.session.get(Document, document_id, options=[undefer(Document.pdf)])
    if doc is None or not may_see(actor, db.session.get(Case, doc.case_id)):
        raise NotFound(f"文书 {document_id} 不存在")
    if doc.pdf is None:
        raise NotFound(f"文书 {document_id} 没有 PDF 副本")
    return doc
