"""What every letter shares: the input a builder sees, Chinese date style, the remedies clause and the
check that no required element is missing (letters.md, "Common to every letter")."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .errors import LetterIncomplete

CN_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class LetterInput:
    """Plain values a letter builder may use; never ORM objects."""

    kind: str
    number: str
    issued_on: dt.date
    agency: dict  # name, short_name, office, address, phone, postcode, reconsideration_body, court
    case: dict  # reference, process, state, reason, received_on, data
    params: dict  # the trigger's validated data
    readings: dict  # clock name -> Reading
    notes: dict = field(default_factory=dict)
    history: list = field(default_factory=list)  # earlier events: {"trigger", "effective_on", "data"}
    calendar: object = None
    rules: dict = field(default_factory=dict)  # the rule-set and statutory values in force


def cn_date(value: dt.date | str | None) -> str:
    """2026年3月2日 (Arabic numerals, no leading zeros, as GB/T 9704 asks for dates)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: dt.datetime | str, tz: dt.tzinfo) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    local = value.astimezone(tz)
    return f"{cn_date(local.date())}{local.hour}时{local.minute:02d}分"


def cn_number(n: int) -> str:
    """Chinese numerals for article numbers up to 999 (第三十六条)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + cn_number(rest) if rest < 10 else
                                 ("一" + cn_number(rest) if rest < 20 else cn_number(rest)))
    return CN_DIGITS[n // 100] + "百" + tail


def article(n: int, item: int | None = None, paragraph: int | None = None,
            law: str = "《中华人民共和国政府信息公开条例》") -> str:
    """《…条例》第三十六条第（二）项 style."""
    text = f"{law}第{cn_number(n)}条"
    if paragraph:
        text += f"第{cn_number(paragraph)}款"
    if item:
        text += f"第（{cn_number(item)}）项"
    return text


def contact_line(agency: dict) -> str:
    """Office, address and telephone; empty when any of them is missing, so the letter is refused."""
    if not all((agency.get(k) or "").strip() for k in ("office", "address", "phone")):
        return ""
    postcode = f"；邮政编码：{agency['postcode']}" if agency.get("postcode") else ""
    return f"联系机构：{agency['office']}；地址：{agency['address']}{postcode}；联系电话：{agency['phone']}"


def remedies(agency: dict, *, reconsideration_first: bool) -> str:
    """The remedies clause of the current law (行政复议法 2023; 行政诉讼法 2017)."""
    body = (agency.get("reconsideration_body") or "").strip()
    if not body or (not reconsideration_first and not (agency.get("court") or "").strip()):
        return ""  # a remedies clause without its body or court is no clause: the letter is refused
    if reconsideration_first:
        return (f"如对本答复不服，可以自收到本答复之日起60日内向{body}申请行政复议。根据《中华人民共和国行政复议法》"
                "第二十三条第一款第（四）项，申请政府信息公开、行政机关决定不予公开的，应当先申请行政复议；"
                "对行政复议决定不服的，可以依法向人民法院提起行政诉讼。")
    return (f"如对本答复不服，可以自收到本答复之日起60日内向{body}申请行政复议（《中华人民共和国行政复议法》"
            f"第二十条、第二十四条），或者自收到本答复之日起6个月内向{agency['court']}提起行政诉讼"
            "（《中华人民共和国行政诉讼法》第四十六条）。")


def base_context(inp: LetterInput, *, title: str, addressee: str, recital: str, paragraphs: list[str],
                 basis: str, items: list[str] | None = None, table_header: list[str] | None = None,
                 table: list[list[str]] | None = None, remedies_text: str = "", closing: str = "特此告知。",
                 remedies_required: bool = False) -> dict:
    """The context every template receives; builders fill the parts that are theirs."""
    return {
        "agency_name": inp.agency.get("name", ""),
        "title": title,
        "number": inp.number,
        "addressee": addressee,
        "recital": recital,
        "paragraphs": [p for p in paragraphs if p],
        "items": items or [],
        "table_header": table_header or [],
        "table": table or [],
        "basis": basis,
        "remedies": remedies_text,
        "remedies_required": bool(remedies_required),
        "contact": contact_line(inp.agency),
        "closing": closing,
        "issue_date": cn_date(inp.issued_on),
    }


COMMON_REQUIRED = ("agency_name", "title", "number", "addressee", "recital", "paragraphs", "basis", "contact",
                   "closing", "issue_date")


def check_complete(kind: str, context: dict, required: tuple[str, ...]) -> None:
    """Refuse to issue a letter with an empty required element."""
    required = (*COMMON_REQUIRED, *required, *(("remedies",) if context.get("remedies_required") else ()))
    missing = [key for key in required if not _filled(context.get(key))]
    if missing:
        raise LetterIncomplete(f"文书“{context.get('title') or kind}”缺少必备要素：{', '.join(missing)}，不予出具",
                               kind=kind, missing=missing)
    # Only computed text is checked: what a person typed must come back exactly, whatever it says.
    if any(old in context.get("remedies", "") for old in ("15个工作日", "3个月")):
        raise LetterIncomplete("文书含有已失效的期限表述（15个工作日或3个月起诉期限），不予出具", kind=kind,
                               missing=["remedies"])


def _filled(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_filled(v) for v in value)
    return value is not None
