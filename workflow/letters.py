"""What every letter shares: the input a builder sees, Chinese date style, the remedies clause and the
check that no required element is missing (letters.md, "Common to every letter")."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .errors import LetterIncomplete

CN_DIGITS = "零一二三四五六七八九"
# How a letter is served (letters.md "Delivery"): a post needs its tracking number.
DELIVERY_METHODS = {"post": "邮寄", "email": "电子邮件", "in_person": "当面送达", "online": "在线送达", "fax": "传真"}


@dataclass(frozen=True)
class LetterInput:
    """Plain values a letter builder may use; never ORM objects."""

    kind: str
    number: str
    issued_on: dt.date
    agency: dict  # name, short_name, office, address, phone, postcode, reconsideration, court
    case: dict  # reference, process, state, reason, received_on, data
    params: dict  # the trigger's validated data
    readings: dict  # clock name -> Reading
    notes: dict = field(default_factory=dict)
    history: list = field(default_factory=list)  # earlier events: {"trigger", "effective_on", "data"}
    calendar: object = None
    rules: dict = field(default_factory=dict)  # the rule-set and statutory values in force
    articles: dict = field(default_factory=dict)  # the article table (templates_docx/articles.yaml)


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


def cite(articles: dict, refs: list[str] | tuple[str, ...]) -> str:
    """Citations of the article table ("条例 第三十条") printed in full: provisions of one law after its
    title joined by "、", laws joined by "；" (《中华人民共和国政府信息公开条例》第十五条、第三十二条). A
    reference with no provision prints the law's title alone."""
    laws, grouped = articles["laws"], {}
    for ref in refs:
        short, _, provision = ref.strip().partition(" ")
        provisions = grouped.setdefault(laws[short], [])
        if provision.strip() and provision.strip() not in provisions:
            provisions.append(provision.strip())
    return "；".join(law + "、".join(provisions) for law, provisions in grouped.items())


def contact(agency: dict) -> dict:
    """Office, address, postcode and telephone; empty when office, address or telephone is missing, so a
    letter that needs it is refused."""
    if not all((agency.get(k) or "").strip() for k in ("office", "address", "phone")):
        return {}
    return {k: agency.get(k) or "" for k in ("office", "address", "postcode", "phone")}


def remedies(inp: LetterInput, *, title: str, reconsideration_first: bool) -> dict:
    """The values of the remedies clause (the wording is the clause template _remedies.docx): the bodies
    that hear a reconsideration and the article that gives them jurisdiction (agency configuration: 行政复议法
    Art. 24, 27 or 28 by the kind of agency), the period's article, and for a refusal to disclose that
    reconsideration comes first (Art. 23(4)) with no lawsuit alternative. Empty when the configuration
    lacks a body (or, where a lawsuit is offered, a court): the letter is then refused."""
    config = inp.agency.get("reconsideration")
    config = config if isinstance(config, dict) else {}
    bodies = [b.strip() for b in config.get("bodies") or [] if b.strip()]
    court = (inp.agency.get("court") or "").strip()
    if not bodies or not config.get("article") or (not reconsideration_first and not court):
        return {}
    table = inp.articles["remedies"]
    return {
        "first": reconsideration_first,
        "bodies": "或者".join(bodies),
        "basis": cite(inp.articles, [*table["period"], config["article"]]),
        "first_basis": cite(inp.articles, table["reconsideration_first"]),
        "court": court,
        "lawsuit_basis": cite(inp.articles, table["lawsuit"]),
        # A 告知书 is not an 答复 (letters.md): the clause names the letter it is in.
        "this": "本告知书" if title.endswith("告知书") else "本答复",
    }


# The values every letter template may print; a builder adds its own (LetterKind.variables).
COMMON_VARIABLES = ("agency_name", "title", "number", "addressee", "issue_date", "contact", "basis", "remedies")


def base_context(inp: LetterInput, *, title: str, addressee: str, basis: str = "", remedies_values: dict | None = None,
                 requires: tuple[str, ...] = (), **values) -> dict:
    """The values every template receives, with the builder's own; ``requires`` names further values that
    must not be empty for this letter (e.g. the remedies of a terminal reply)."""
    return {
        "agency_name": inp.agency.get("name", ""),
        "title": title,
        "number": inp.number,
        "addressee": addressee,
        "issue_date": cn_date(inp.issued_on),
        "contact": contact(inp.agency),
        "basis": basis,
        "remedies": remedies_values or {},
        "requires": list(requires),
        **values,
    }


COMMON_REQUIRED = ("agency_name", "title", "number", "addressee", "issue_date", "contact")
# What the template of a record laid out as a form (LetterKind.form) must print: the same but the addressee,
# as a form has no addressee line (the builder still names it: it is stored with the record).
FORM_REQUIRED = tuple(key for key in COMMON_REQUIRED if key != "addressee")
# Periods that no longer apply: the pre-2019 reconsideration period and the pre-2015 litigation period.
SUPERSEDED = ("15个工作日", "3个月")


def check_complete(kind: str, context: dict, required: tuple[str, ...]) -> None:
    """Refuse to issue a letter with an empty required element."""
    required = (*COMMON_REQUIRED, *required, *context.get("requires", ()))
    missing = [key for key in dict.fromkeys(required) if not _filled(context.get(key))]
    if missing:
        raise LetterIncomplete(f"文书“{context.get('title') or kind}”缺少必备要素：{', '.join(missing)}，不予出具",
                               kind=kind, missing=missing)


def _filled(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_filled(v) for v in value)
    if isinstance(value, dict):
        return bool(value)
    return value is not None
