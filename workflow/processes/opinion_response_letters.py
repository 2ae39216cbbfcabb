"""The opinion_response record (舆情回应登记表, letters.md "opinion_response"): the matter, its source and
detection instant, the severity, every release and press conference with its instant, the response, and
for each clock its limit, due instant, completion instant and whether it was met."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ..clock import Reading
from ..engine import LetterKind
from ..letters import RECORD_VARIABLES, LetterInput, cn_datetime, record_context

SHANGHAI = ZoneInfo("Asia/Shanghai")

SEVERITY_WORDS = {
    "major_emergency": "涉及特别重大、重大突发事件的政务舆情",
    "ordinary": "其他政务舆情",
}
RULE_61 = "《国务院办公厅关于在政务公开工作中进一步做好政务舆情回应的通知》（国办发〔2016〕61号）"
RULE_80 = "《〈关于全面推进政务公开工作的意见〉实施细则》（国办发〔2016〕80号）"
WORK_POINTS = "《贵州省司法厅2019年政务公开工作要点》一（三）"

# Clock → (what had to be done, the word for its first occurrence, the rules it comes from), in page order.
CLOCK_WORDS = {
    "information": ("发布权威信息", "首次发布于", (RULE_80,)),
    "press_conference": ("举行新闻发布会", "首次举行于", (RULE_61, RULE_80)),
    "response": ("作出回应", "回应于", (RULE_61,)),
}


def _at(value: str | dt.datetime) -> str:
    return cn_datetime(value, SHANGHAI)


def _overrun(reading: Reading) -> str:
    late = dt.datetime.fromisoformat(reading.stopped_on) - reading.due_at
    minutes = int(late.total_seconds() // 60)
    if minutes < 1:
        return "不足1分钟"
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}小时" if hours else "") + (f"{minutes}分钟" if minutes else "")


def clock_line(name: str, reading: Reading) -> str:
    """One clock: its limit, due instant, when it stopped and whether it was met."""
    what, first, _ = CLOCK_WORDS[name]
    text = (f"{what}：时限{reading.limit}小时（自监测发现时起算），应于{_at(reading.due_at)}前完成；")
    met = reading.met()
    if met is None:
        return text + "截至登记时尚未完成。"
    if met:
        return text + f"{first}{_at(reading.stopped_on)}，按时完成。"
    return text + f"{first}{_at(reading.stopped_on)}，未按时完成（超出时限{_overrun(reading)}）。"


def _timeline(data: dict) -> list[list[str]]:
    rows = [["监测发现", _at(data["detected_at"]), f"来源：{data['source']}"]]
    rows += [["发布权威信息", _at(r["released_at"]), f"{r['channel']}：{r['content']}"]
             for r in data.get("releases", [])]
    rows += [["新闻发布会", _at(c["held_at"]),
              (f"发布人：{c['speakers']}；" if c.get("speakers") else "") + c["summary"]]
             for c in data.get("press_conferences", [])]
    response = data["response"]
    rows.append(["回应", _at(response["responded_at"]),
                 (f"{response['channel']}：" if response.get("channel") else "") + response["response"]])
    return rows


def response_record(inp: LetterInput) -> dict:
    data = inp.case["data"]
    severity = data["severity"]
    clocks = [name for name in CLOCK_WORDS if name in inp.readings]
    limits = "、".join(f"{inp.readings[n].limit}小时内{CLOCK_WORDS[n][0]}" for n in clocks)
    paragraphs = [
        f"研判等级：{SEVERITY_WORDS[severity]}，应自监测发现时起{limits}。",
        f"研判意见：{data['assessment']}" if data.get("assessment") else "",
        f"回应情况：{_at(data['response']['responded_at'])}，{data['response']['response']}",
        "回应时限执行情况如下：",
    ]
    basis = "；".join(dict.fromkeys([*(rule for n in clocks for rule in CLOCK_WORDS[n][2]), WORK_POINTS]))
    return record_context(
        inp, title="舆情回应登记表", addressee=data["department"],
        recital=(f"{_at(data['detected_at'])}，监测发现政务舆情（来源：{data['source']}）。"
                 f"舆情事项：{data['title']}。舆情概要：{data['summary']}"),
        paragraphs=paragraphs,
        items=[clock_line(n, inp.readings[n]) for n in clocks],
        table_header=["事项", "时间", "内容"], table=_timeline(data),
        basis=basis, closing="特此登记。")


LETTERS = {
    "response_record": LetterKind("response_record", "舆情回应登记表", "舆回", "response_record.docx",
                                  response_record, required=("basis", "items", "table"), variables=RECORD_VARIABLES),
}
