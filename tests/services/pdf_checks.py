"""What the PDF tests of the letters share: the letters a test issued, kept with their PDF copy (converted by
LibreOffice, all of a module's letters in one soffice call) and read back with poppler (pdfinfo, pdftotext),
and the checks of GB/T 9704-2012 made on them — the required elements printed, "— N —" on the outer edge of
every page, a letter's signature on a page with its closing, a record's form read back row by row.

Locally the tests that use them skip without LibreOffice and poppler; in CI (which installs them, bin/test)
they fail."""
from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import undefer

from app.extensions import db as _db
from app.models import Document
from app.services import pdf

TOOLS = ("soffice", "pdftotext", "pdfinfo")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
needs_tools = pytest.mark.skipif(bool(MISSING) and os.environ.get("CI") != "true",
                                reason=f"{', '.join(MISSING)} not installed (apt-get install "
                                       "libreoffice-writer-nogui fonts-noto-cjk poppler-utils)")

MM = 72 / 25.4  # points
TYPE_LEFT, TYPE_RIGHT, TYPE_BOTTOM = 28 * MM, (210 - 26) * MM, (297 - 35) * MM
CHAR_4 = 14  # one 4号 character: the page number's distance from the edge of the type area
FORM_LABEL_WIDTH = 45 * MM  # the label column of a record's form (templates_docx/scaffold.py)
AGENCY = "贵州省司法厅"


@dataclass
class Issued:
    """A letter as issued (its row's values) and its PDF copy."""

    test: str
    kind: str
    number: str
    title: str
    addressee: str
    issued_on: dt.date
    docx: bytes
    pdf: Path = None
    # What poppler read from the PDF, read once: (tool, page) -> its output.
    read: dict = field(default_factory=dict, repr=False)

    @property
    def date(self) -> str:
        return f"{self.issued_on.year}年{self.issued_on.month}月{self.issued_on.day}日"

    def _poppler(self, *command: str, page: int | None = None) -> str:
        """The output of a poppler tool on the PDF (of one page), run once."""
        key = (command, page)
        if key not in self.read:
            pages = ["-f", str(page), "-l", str(page)] if page else []
            to_stdout = ["-"] if command[0] == "pdftotext" else []
            self.read[key] = subprocess.run([*command, *pages, str(self.pdf), *to_stdout], capture_output=True,
                                            text=True, check=True).stdout
        return self.read[key]

    @property
    def pages(self) -> int:
        return int(re.search(r"^Pages:\s+(\d+)", self._poppler("pdfinfo"), re.M).group(1))

    def text(self, page: int | None = None) -> str:
        return self._poppler("pdftotext", page=page)

    def body(self) -> str:
        """The text of every page without the page numbers, whitespace removed."""
        return "".join(re.sub(r"—\d+—", "", flat(self.text(page))) for page in range(1, self.pages + 1))

    def words(self, page: int) -> list[tuple[str, float, float, float, float]]:
        """(word, xMin, yMin, xMax, yMax) in points from the top left corner of the page."""
        out = self._poppler("pdftotext", "-bbox", page=page)
        return [(html.unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]

    def form_rows(self) -> tuple[tuple[str, str], list[tuple[str, str]]]:
        """A record's form as issued (read from its .docx): its header row, and its rows (label, value)."""
        [table] = docx.Document(io.BytesIO(self.docx)).tables
        header, *rows = [(row.cells[0].text, row.cells[1].text) for row in table.rows]
        return header, rows


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def stored_letters(test: str) -> list[Issued]:
    """The letters of the database, as issued, in the order they were issued."""
    rows = _db.session.scalars(sa.select(Document).options(undefer(Document.content)).order_by(Document.id)).all()
    return [Issued(test, row.kind, row.number, row.title, row.addressee, row.issued_on, row.content) for row in rows]


def convert(letters: list[Issued], folder: Path) -> None:
    """The PDF copy of every letter, from one soffice call (a call costs seconds, whatever the number)."""
    for i, (letter, content) in enumerate(zip(letters, pdf.to_pdf([letter.docx for letter in letters]),
                                              strict=True)):
        letter.pdf = folder / f"{i}-{letter.kind}.pdf"
        letter.pdf.write_bytes(content)


# -- the checks ------------------------------------------------------------------------------------------
def check_elements(letter: Issued) -> None:
    """A letter's required elements read back from the PDF (letters.md "Common to every letter"), and every
    page numbered."""
    text = letter.body()
    for element in (letter.title, letter.number, flat(letter.addressee) + "：", AGENCY, letter.date, "联系电话："):
        assert element in text, element
    if letter.kind == "reply" and letter.title != "政府信息公开申请撤回确认书":
        assert "申请行政复议" in text  # the remedies of a reply
    check_page_numbers(letter)


def check_signature(letter: Issued) -> None:
    """The agency's name and the date end the last page, after the closing they keep with."""
    last = letter.pages
    lines = [line.strip() for line in letter.text(last).splitlines() if line.strip()]
    assert [flat(line) for line in lines[-3:]] == [AGENCY, letter.date, f"—{last}—"]
    body = lines[:-3]
    assert body and body[-1].startswith("特此"), lines  # the closing, and the body text it keeps with


def check_page_numbers(letter: Issued) -> None:
    """Every page numbered "— N —" under the type area, the last with the number of pages pdfinfo counts: one
    4号 character in from the right edge of the type area on odd pages, from the left edge on even pages."""
    for page in range(1, letter.pages + 1):
        words = [w for w in letter.words(page) if w[2] > TYPE_BOTTOM]  # below the type area: the page number
        assert [w[0] for w in words] == ["—", str(page), "—"], (letter.test, letter.kind, page)
        left, right = words[0][1], words[-1][3]
        if page % 2:
            assert right == pytest.approx(TYPE_RIGHT - CHAR_4, abs=2), (page, right)
        else:
            assert left == pytest.approx(TYPE_LEFT + CHAR_4, abs=2), (page, left)


def form_columns(letter: Issued, page: int, header_label: str) -> tuple[str, str]:
    """The text of a form's label column and of its value column on one page, from the header row down
    (the title and number above it, the page number under the type area left out), whitespace removed."""
    words = [w for w in letter.words(page) if w[2] < TYPE_BOTTOM]
    header = [w[2] for w in words if w[0] == header_label]
    assert header, (letter.test, letter.kind, page, "no header row")  # the header row, repeated on every page
    top = min(header)
    cells = sorted((w for w in words if w[2] >= top - 1), key=lambda w: (round(w[2]), w[1]))
    labels = "".join(w[0] for w in cells if w[3] <= TYPE_LEFT + FORM_LABEL_WIDTH)
    values = "".join(w[0] for w in cells if w[1] >= TYPE_LEFT + FORM_LABEL_WIDTH - MM)
    return flat(labels), flat(values)


def check_form(letter: Issued) -> None:
    """A record's form read back from the PDF: its title and number above the table; on every page the header
    row first, then whole rows — each label and its value on the same page, in the order of the form, every
    one of them printed — none of them split; the last ends with the agency's name and the date; no page
    without a row; every page numbered on its outer edge."""
    text = letter.body()
    assert text.startswith(flat(letter.title) + flat(letter.number)), text[:60]
    (header_label, header_value), rows = letter.form_rows()
    rows = [(flat(label), flat(value)) for label, value in rows]
    assert rows[-1][0].endswith("（盖章）") and rows[-1][1] == AGENCY + letter.date
    done = 0
    for page in range(1, letter.pages + 1):
        labels, values = form_columns(letter, page, header_label)
        assert labels.startswith(header_label) and values.startswith(header_value), (letter.test, page)
        labels, values = labels[len(header_label):], values[len(header_value):]
        # The rows on this page: a run of whole rows that makes up both columns exactly.
        end = next((k for k in range(done + 1, len(rows) + 1)
                    if labels == "".join(r[0] for r in rows[done:k]) and values == "".join(r[1] for r in rows[done:k])),
                   None)
        assert end is not None, (letter.test, letter.kind, page, labels, values, rows[done:])
        done = end
    assert done == len(rows), (letter.test, rows[done:])
    check_page_numbers(letter)
