"""What the PDF tests of the letters share: the letters a test issued, kept with their PDF copy (converted by
LibreOffice, all of a module's letters in one soffice call) and read back with poppler (pdfinfo, pdftotext),
and the checks of GB/T 9704-2012 made on them — the required elements printed, "— N —" on the outer edge of
every page, a letter's signature on a page with its closing.

Locally the tests that use them skip without LibreOffice and poppler; in CI (which installs them, bin/test)
they fail."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

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

    @property
    def date(self) -> str:
        return f"{self.issued_on.year}年{self.issued_on.month}月{self.issued_on.day}日"

    @property
    def pages(self) -> int:
        info = subprocess.run(["pdfinfo", str(self.pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))

    def text(self, page: int | None = None) -> str:
        pages = ["-f", str(page), "-l", str(page)] if page else []
        return subprocess.run(["pdftotext", *pages, str(self.pdf), "-"], capture_output=True, text=True,
                              check=True).stdout

    def body(self) -> str:
        """The text of every page without the page numbers, whitespace removed."""
        return "".join(re.sub(r"—\d+—", "", flat(self.text(page))) for page in range(1, self.pages + 1))

    def words(self, page: int) -> list[tuple[str, float, float, float, float]]:
        """(word, xMin, yMin, xMax, yMax) in points from the top left corner of the page."""
        out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(self.pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


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
