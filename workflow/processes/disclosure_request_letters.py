"""The letters of disclosure_request (letters.md): the values each letter prints, computed from the case, its
clocks and its decision, with every text a person typed passed through unchanged. The wording is in the
templates (templates_docx/<kind>.docx) and the provisions in templates_docx/articles.yaml."""
from __future__ import annotations

import datetime as dt

from .. import fees
from ..engine import LetterKind
from ..letters import LetterInput, base_context, cite, cn_date, remedies

PROCESS = "disclosure_request"
CHANNEL_WORDS = {"in_person": "当面提交", "registered_post": "邮寄（需签收）", "ordinary_post": "平常信函",
                 "online": "互联网渠道", "fax": "传真"}
# The values of the application recital (_application.docx), printed in every letter to the applicant.
APPLICATION = ("you", "received_on", "channel", "description", "document_title", "document_number")


def fee_lines(params: dict) -> list[fees.FeeLine]:
    if params.get("basis") == fees.PER_PIECE:
        return fees.compute(fees.PER_PIECE, units=params["pieces"],
                            already_counted=params.get("pieces_already_this_month") or 0)
    return fees.compute(fees.PER_VOLUME, units=params["pages"])


def fee_total(params: dict) -> int:
    return fees.total(fee_lines(params))


def _you(case: dict) -> str:
    return "你" if case["data"]["applicant_type"] == "natural_person" else "你单位"


def _basis(inp: LetterInput, key: str, *extra: str) -> str:
    return cite(inp.articles, [*inp.articles[PROCESS]["basis"][key], *extra])


def _application(inp: LetterInput) -> dict:
    data = inp.case["data"]
    return {"you": _you(inp.case), "received_on": cn_date(inp.case["received_on"]),
            "channel": CHANNEL_WORDS[data["channel"]], "description": data["description"],
            "document_title": data.get("document_title") or "", "document_number": data.get("document_number") or ""}


def _to_applicant(inp: LetterInput, *, title: str, basis: str, **values) -> dict:
    return base_context(inp, title=title, addressee=inp.case["data"]["applicant_name"], basis=basis,
                        **_application(inp), **values)


def _due(inp: LetterInput, clock: str) -> str:
    return cn_date(inp.readings[clock].due_on)


def correction_notice(inp: LetterInput) -> dict:
    return _to_applicant(inp, title="政府信息公开申请补正告知书", basis=_basis(inp, "correction_notice"),
                         items=list(inp.params["items"]), correction_due=_due(inp, "correction"))


def reasons_notice(inp: LetterInput) -> dict:
    return _to_applicant(inp, title="政府信息公开申请说明理由告知书", basis=_basis(inp, "reasons_notice"),
                         grounds=inp.params["grounds"], asked=inp.params["asked"], reasons_due=_due(inp, "reasons"))


def third_party_consultation(inp: LetterInput) -> dict:
    # Art. 32: the third party learns what information is concerned, never who asked for it.
    p = inp.params
    return base_context(inp, title="政府信息公开申请征求第三方意见书", addressee=p["third_party_name"],
                        basis=_basis(inp, "third_party_consultation"), received_on=cn_date(inp.case["received_on"]),
                        information=p["information"], impact=p["impact"],
                        served_on=cn_date(_started(inp, "consultation")), consultation_due=_due(inp, "consultation"))


def agency_consultation(inp: LetterInput) -> dict:
    p = inp.params
    return base_context(inp, title="政府信息公开申请征求意见函", addressee=p["agency_name"],
                        basis=_basis(inp, "agency_consultation"), received_on=cn_date(inp.case["received_on"]),
                        information=p["information"], served_on=cn_date(_started(inp, "consultation")),
                        consultation_due=_due(inp, "consultation"))


def _started(inp: LetterInput, clock: str) -> str | None:
    return inp.readings[clock].started_on


def fee_notice(inp: LetterInput) -> dict:
    p = inp.params
    lines = fee_lines(p)
    per_piece = p["basis"] == fees.PER_PIECE
    unit = "件" if per_piece else "页"
    return _to_applicant(
        inp, title="政府信息公开信息处理费收费通知书", basis=_basis(inp, "fee_notice"),
        per_piece=per_piece, pieces_before=p.get("pieces_already_this_month") or 0, pieces=p.get("pieces") or 0,
        pages=p.get("pages") or 0, total=fees.total(lines),
        payment=p.get("payment_method") or inp.agency["fee_payment_method"],
        served_on=cn_date(_started(inp, "fee")), fee_due=_due(inp, "fee"), fee_days=inp.rules["fee_payment_days"],
        table_header=["计费区段", f"数量（{unit}）", "金额（元）"],
        table=[[line.band.label(unit), str(line.units), str(line.amount)] for line in lines])


def extension_notice(inp: LetterInput) -> dict:
    reading = inp.readings["reply"]
    restarted = any(e["trigger"] == "receive_correction" for e in inp.history)  # Art. 30: counts anew
    paused = sum(1 for s in reading.skipped if s["reason"].startswith("计时暂停")
                 and inp.calendar.is_workday(dt.date.fromisoformat(s["date"])))
    return _to_applicant(
        inp, title="政府信息公开申请延期答复告知书", basis=_basis(inp, "extension_notice"),
        original_due=cn_date(inp.notes["due_before_extension"]), counted_from=cn_date(reading.started_on),
        restarted=restarted, paused_days=paused, reason=inp.params["reason"], days=inp.params["days"],
        new_due=_due(inp, "reply"))


# -- the reply and its variants ---------------------------------------------------------------------
def variant_of(state: str, reason: str | None) -> str:
    """The reply variant: state/reason, as articles.yaml and the reply template name them; a refusal on an
    exemption ground is "withheld" (the ground is a value), except the 行政查询 告知 (Art. 36(7))."""
    if state == "withheld" and reason != "administrative_inquiry":
        return "withheld"
    return f"{state}/{reason}"


def reply(inp: LetterInput) -> dict:
    case = inp.case
    table = inp.articles[PROCESS]
    proposal = case["data"].get("proposal", {})
    variant = variant_of(case["state"], case["reason"])
    title = table["titles"][variant]
    grounds = table["grounds"]
    values = {"variant": variant, "explanation": proposal.get("explanation") or "", "table_header": [], "table": []}
    first = False
    if variant == "closed_other/other":
        basis = proposal["legal_basis"]  # the caseworker names the rule that applies to this disposition
    elif variant == "withheld":
        ground = grounds[case["reason"]]
        basis = _basis(inp, variant, *ground["basis"])
        values |= {"ground": ground["words"], "consultation": _consultation(inp) if case["reason"] == "third_party_rights"
                   else {}}
        first = True
    elif variant == "partially_disclosed/partial":
        parts = proposal["withheld_parts"]
        basis = _basis(inp, variant, *(ref for part in parts for ref in grounds[part["ground"]]["basis"]))
        values |= {"table_header": ["不予公开的部分", "理由", "依据"],
                   "table": [[part["part"], grounds[part["ground"]]["words"]
                              + (f"。{part['explanation']}" if part.get("explanation") else ""),
                              cite(inp.articles, grounds[part["ground"]]["basis"])] for part in parts]}
        # The withheld parts are a refusal to disclose: reconsideration comes first (行政复议法 Art. 23(4)).
        first = True
    else:
        basis = _basis(inp, variant)
        # 行政查询 is counted as 不予公开 (annual report 三（四）8): reconsideration comes first as for any refusal.
        first = case["state"] == "withheld"
    values |= {
        "provided": proposal.get("provided") or "", "obtain": proposal.get("obtain") or "",
        "published_title": proposal.get("published_title") or "", "published_channel": proposal.get("published_channel") or "",
        "published_on": cn_date(proposal.get("published_on")),
        "responsible_agency": proposal.get("responsible_agency") or {},
        "earlier_number": (proposal.get("earlier_reply") or {}).get("number", ""),
        "earlier_date": cn_date((proposal.get("earlier_reply") or {}).get("date")),
        "proper_channel": proposal.get("proper_channel") or "", "publication_how": proposal.get("publication_how") or "",
        "legal_basis": proposal.get("legal_basis") or "",
        "corrected_on": cn_date(_fired_on(inp, "receive_correction")),
        "correction_notice_on": cn_date(_fired_on(inp, "request_correction")),
        "correction_due": _due(inp, "correction") if "correction" in inp.readings else "",
        "fee_notice_on": cn_date(_fired_on(inp, "issue_fee_notice")),
        "fee_due": _due(inp, "fee") if "fee" in inp.readings else "",
        "withdrawn_on": cn_date(inp.issued_on), "statement": inp.params.get("statement") or "",
    }
    # Every terminal reply states the remedies, except the confirmation of a withdrawal (letters.md).
    withdrawn = variant == "closed_other/withdrawn"
    return _to_applicant(inp, title=title, basis=basis, requires=() if withdrawn else ("basis", "remedies"),
                         remedies_values=None if withdrawn else remedies(inp, title=title, reconsideration_first=first),
                         **values)


def _consultation(inp: LetterInput) -> dict:
    """How the third party answered (Art. 15, 32): its opinion and reasons, or that its period lapsed."""
    replies = [e for e in inp.history if e["trigger"] == "third_party_replied"]
    if replies:
        data = replies[-1]["data"]
        return {"opinion": data.get("opinion"), "reasons": data.get("reasons") or "", "lapsed": False}
    return {"opinion": None, "reasons": "", "lapsed": any(e["trigger"] == "consultation_lapsed" for e in inp.history)}


def _fired_on(inp: LetterInput, trigger: str) -> dt.date | None:
    dates = [e["effective_on"] for e in inp.history if e["trigger"] == trigger]
    return dates[-1] if dates else None


def third_party_disclosure_notice(inp: LetterInput) -> dict:
    """Art. 32: the third party that objected is told in writing what will be disclosed and why."""
    consulted = [e for e in inp.history if e["trigger"] == "consult_third_party"][-1]
    replied = [e for e in inp.history if e["trigger"] == "third_party_replied"][-1]
    proposal = inp.case["data"]["proposal"]
    title = "政府信息公开决定告知书"
    return base_context(inp, title=title, addressee=consulted["data"]["third_party_name"],
                        basis=_basis(inp, "third_party_disclosure_notice"),
                        remedies_values=remedies(inp, title=title, reconsideration_first=False),
                        consulted_on=cn_date(consulted["effective_on"]), replied_on=cn_date(replied["effective_on"]),
                        objection_reasons=replied["data"].get("reasons") or "",
                        information=consulted["data"]["information"], public_interest=proposal["public_interest"])


REPLY_VALUES = ("variant", "explanation", "table_header", "table", "ground", "consultation", "provided", "obtain",
                "published_title", "published_channel", "published_on", "responsible_agency", "earlier_number",
                "earlier_date", "proper_channel", "publication_how", "legal_basis", "corrected_on",
                "correction_notice_on", "correction_due", "fee_notice_on", "fee_due", "withdrawn_on", "statement")

LETTERS = {
    "correction_notice": LetterKind("correction_notice", "政府信息公开申请补正告知书", "补正", "correction_notice.docx",
                                    correction_notice, required=("basis", "items"),
                                    variables=(*APPLICATION, "items", "correction_due")),
    "reasons_notice": LetterKind("reasons_notice", "政府信息公开申请说明理由告知书", "说明", "reasons_notice.docx",
                                 reasons_notice, required=("basis",),
                                 variables=(*APPLICATION, "grounds", "asked", "reasons_due")),
    "third_party_consultation": LetterKind("third_party_consultation", "政府信息公开申请征求第三方意见书", "征询",
                                           "third_party_consultation.docx", third_party_consultation,
                                           required=("basis",), served_clock="consultation",
                                           variables=("received_on", "information", "impact", "served_on",
                                                      "consultation_due")),
    "agency_consultation": LetterKind("agency_consultation", "政府信息公开申请征求意见函", "征函",
                                      "agency_consultation.docx", agency_consultation, required=("basis",),
                                      served_clock="consultation",
                                      variables=("received_on", "information", "served_on", "consultation_due")),
    "fee_notice": LetterKind("fee_notice", "政府信息公开信息处理费收费通知书", "收费", "fee_notice.docx", fee_notice,
                             required=("basis", "table"), served_clock="fee",
                             variables=(*APPLICATION, "per_piece", "pieces_before", "pieces", "pages", "total",
                                        "payment", "served_on", "fee_due", "fee_days", "table_header", "table")),
    "extension_notice": LetterKind("extension_notice", "政府信息公开申请延期答复告知书", "延期", "extension_notice.docx",
                                   extension_notice, required=("basis",),
                                   variables=(*APPLICATION, "original_due", "counted_from", "restarted",
                                              "paused_days", "reason", "days", "new_due")),
    "third_party_disclosure_notice": LetterKind(
        "third_party_disclosure_notice", "政府信息公开决定告知书", "告三", "third_party_disclosure_notice.docx",
        third_party_disclosure_notice, required=("basis", "remedies", "information", "public_interest"),
        variables=("consulted_on", "replied_on", "objection_reasons", "information", "public_interest")),
    "reply": LetterKind("reply", "政府信息公开申请答复书", "公开", "reply.docx", reply,
                        variables=(*APPLICATION, *REPLY_VALUES)),
}
