"""The opinion_response record (舆情回应登记表, letters.md "opinion_response"): the values it prints — the
matter, its source and detection instant, the severity, every release and press conference with its
instant, the response, and for each clock its limit, due instant, completion instant and whether it was
met. The wording is in templates_docx/response_record.docx, the provisions in articles.yaml."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ..clock import Reading
from ..engine import LetterKind
from ..letters import LetterInput, base_context, cite, cn_datetime

PROCESS = "opinion_response"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The clocks in the order the record lists them (which ones run depends on the severity).
CLOCKS = ("information", "press_conference", "response")


def _at(value: str | dt.datetime) -> str:
    return cn_datetime(value, SHANGHAI)


def overrun(reading: Reading) -> str:
    """How far past its due instant a clock stopped, in hours and minutes (不足1分钟 under a minute)."""
    late = dt.datetime.fromisoformat(reading.stopped_on) - reading.due_at
    minutes = int(late.total_seconds() // 60)
    if minutes < 1:
        return "不足1分钟"
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}小时" if hours else "") + (f"{minutes}分钟" if minutes else "")


def clock_values(name: str, reading: Reading) -> dict:
    """One clock: its limit, due instant, when it stopped and whether it was met (None: not yet done)."""
    met = reading.met()
    return {"name": name, "limit": reading.limit, "due_at": _at(reading.due_at),
            "done_at": _at(reading.stopped_on) if met is not None else "", "met": met,
            "overrun": overrun(reading) if met is False else ""}


def response_record(inp: LetterInput) -> dict:
    data = inp.case["data"]
    clocks = [name for name in CLOCKS if name in inp.readings]
    table = inp.articles[PROCESS]
    # Each clock's rule (61号, 80号) once, in page order, then the agency's own rule.
    basis = cite(inp.articles, [*(ref for name in clocks for ref in table["clocks"][name]),
                                *table["basis"]["response_record"]])
    response = data["response"]
    return base_context(
        inp, title="舆情回应登记表", addressee=data["department"], basis=basis, case_reference=inp.case["reference"],
        matter=data["title"], summary=data["summary"], source=data["source"], detected_at=_at(data["detected_at"]),
        severity=data["severity"], assessment=data.get("assessment") or "",
        hours={name: inp.readings[name].limit for name in clocks},
        clocks=[clock_values(name, inp.readings[name]) for name in clocks],
        releases=[{"at": _at(r["released_at"]), "channel": r["channel"], "content": r["content"]}
                  for r in data.get("releases", [])],
        press_conferences=[{"at": _at(c["held_at"]), "speakers": c.get("speakers") or "", "summary": c["summary"]}
                           for c in data.get("press_conferences", [])],
        response={"at": _at(response["responded_at"]), "channel": response.get("channel") or "",
                  "text": response["response"]})


LETTERS = {
    "response_record": LetterKind(
        "response_record", "舆情回应登记表", "舆回", "response_record.docx", response_record,
        required=("basis", "matter", "summary", "source", "detected_at", "severity", "clocks", "response"),
        variables=("case_reference", "matter", "summary", "source", "detected_at", "severity", "assessment", "hours",
                   "clocks", "releases", "press_conferences", "response"),
        outgoing=False, form=True),  # an internal register, filled in after the response
}
