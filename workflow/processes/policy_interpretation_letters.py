"""The letters of policy_interpretation (letters.md): the values of the 退文通知单 to the drafting department
and of the 政策解读发布备案表. What was missing, the deadline and whether it held are computed from the case
and its clock; every text a person typed is passed through unchanged. The wording is in the templates
(templates_docx/return_notice.docx, interpretation_record.docx), the provisions in articles.yaml."""
from __future__ import annotations

import datetime as dt

from ..engine import LetterKind
from ..letters import LetterInput, base_context, cite, cn_date

PROCESS = "policy_interpretation"
# The agency's own rule (work_points_2019.txt 一(二)), cited by the guards; law.md §5: the national 80号
# wording was not read. The letters cite it from articles.yaml.
WORK_POINTS = "《贵州省司法厅2019年政务公开工作要点》第一部分第（二）项"

# -- vocabulary: the words printed for each stored code (also the choices of the forms) -----------------
FORMS = {
    "materials": "文字解读材料",
    "press_conference": "新闻发布会",
    "policy_briefing": "政策吹风会",
    "interview": "负责人接受访谈（含在线访谈）",
    "qa": "政策简明问答",
    "graphics": "图片图表解读",
    "audio_video": "音频视频解读",
    "animation": "卡通动漫解读",
    "expert": "专家学者解读",
    "explainer_card": "惠民政策明白卡",
}
# work points 2019 一(二): major policies are interpreted by the head through these forms.
MAJOR_FORMS = ("press_conference", "policy_briefing", "interview")
# work points 2019 一(二)、一(四): the portal's 政策解读 column and the two WeChat accounts.
CHANNELS = {
    "portal": "门户网站“政策解读”专栏",
    "wechat_guizhou_sifa": "“贵州司法”微信公众号",
    "wechat_qianwei_pufa": "“黔微普法”微信公众号",
    "weibo": "政务微博",
    "mobile_app": "政务移动客户端",
    "news_media": "新闻媒体",
}


def title_of(data: dict) -> str:
    """The policy title in 书名号, unless the drafter already typed them."""
    title = data["policy_title"]
    return title if title.startswith("《") else f"《{title}》"


def _basis(inp: LetterInput, kind: str) -> str:
    return cite(inp.articles, inp.articles[PROCESS]["basis"][kind])


def _policy(data: dict) -> dict:
    """The policy document as both letters name it."""
    return {"department": data["department"], "policy_title": data["policy_title"], "cited_title": title_of(data),
            "document_number": data.get("document_number") or ""}


# -- 退文通知单 ---------------------------------------------------------------------------------------
def return_notice(inp: LetterInput) -> dict:
    data = inp.case["data"]
    # The approval rules that failed, as codes (the template says what each one means and what to resubmit).
    missing = list(data["returns"][-1]["missing"])
    items = list(inp.params.get("items") or [])
    return base_context(inp, title="退文通知单", addressee=data["department"], basis=_basis(inp, "return_notice"),
                        # Something must be listed (letters.md): the typed items when no rule failed.
                        requires=() if missing else ("items",),
                        **_policy(data), submitted_on=cn_date(data["submitted_on"]), reason=inp.params["reason"],
                        missing=missing, items=items, days=inp.notes["interpretation_days"])


# -- 政策解读发布备案表 -------------------------------------------------------------------------------
def interpretation_record(inp: LetterInput) -> dict:
    data = inp.case["data"]
    reading = inp.readings["interpretation"]
    issued = dt.date.fromisoformat(data["issued_on"])
    published = dt.date.fromisoformat(data["interpretation_published_on"])
    met = reading.met()
    return base_context(
        inp, title="政策解读发布备案表", addressee=inp.agency["office"], basis=_basis(inp, "interpretation_record"),
        case_reference=inp.case["reference"], **_policy(data), major=bool(data.get("major")),
        executive_meeting=bool(data.get("executive_meeting")),
        issued_on=cn_date(issued), forms=[FORMS[f] for f in data.get("forms") or []],
        # "谁起草、谁解读": without a named interpreter the drafting department interprets (the template says so).
        interpreter=data.get("interpreter") or "", interpreter_is_head=bool(data.get("interpreter_is_head")),
        channels=[CHANNELS[c] for c in data.get("channels") or []] + list(data.get("other_channels") or []),
        published_on=cn_date(published), same_day=issued == published, days=reading.limit,
        due_on=cn_date(reading.due_on), met=met,
        late_by=0 if met else inp.calendar.working_days_between(reading.due_on, published),
        refinement_reason=data.get("refinement_reason") or "", late_reason=data.get("late_reason") or "",
        provisional=reading.provisional)


POLICY = ("department", "policy_title", "cited_title", "document_number")
LETTERS = {
    "return_notice": LetterKind("return_notice", "退文通知单", "退文", "return_notice.docx", return_notice,
                                required=("basis", "cited_title", "submitted_on", "reason", "days"),
                                variables=(*POLICY, "submitted_on", "reason", "missing", "items", "days"),
                                outgoing=False),  # to the drafting department, inside the agency
    "interpretation_record": LetterKind(
        "interpretation_record", "政策解读发布备案表", "解备", "interpretation_record.docx", interpretation_record,
        required=("basis", "policy_title", "document_number", "issued_on", "forms", "channels", "published_on",
                  "due_on", "met"),
        variables=(*POLICY, "case_reference", "major", "executive_meeting", "issued_on", "forms", "interpreter",
                   "interpreter_is_head", "channels", "published_on", "same_day", "days", "due_on", "met", "late_by",
                   "refinement_reason", "late_reason", "provisional"),
        outgoing=False, form=True),
}
