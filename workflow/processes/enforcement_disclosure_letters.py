"""The letters of enforcement_disclosure (letters.md "enforcement_disclosure"): the values of the publication,
of the statement that withdraws it and of the record of not publishing. A natural person's identity number
is masked in every one of them; every date and provision is computed from the case. The wording is in the
templates (templates_docx/<kind>.docx), the provisions and the grounds for not publishing in articles.yaml."""
from __future__ import annotations

from ..engine import LetterKind
from ..fields import mask_identity_number
from ..letters import LetterInput, base_context, cite, cn_date

PROCESS = "enforcement_disclosure"

# -- vocabulary: the words printed for each stored code (also the choices of the forms) -----------------
DECISION_TYPES = {
    "administrative_licence": "行政许可",
    "administrative_penalty": "行政处罚",
    "administrative_enforcement": "行政强制",
    "administrative_inspection": "行政检查",
    "administrative_confirmation": "行政确认",
    "other": "其他行政执法",
}
PARTY_TYPES = {"natural_person": "自然人", "legal_person": "法人", "other_organisation": "其他组织"}
REVOCATION_EVENTS = {
    "revoked": "被依法撤销",
    "confirmed_illegal": "被确认违法",
    "ordered_remade": "被要求重新作出",
}
PUBLIC = "社会公众"


def published_party_id(data: dict) -> str:
    """The party's identity number as it may be published: a natural person's is always masked."""
    number = data.get("party_id_number") or ""
    return mask_identity_number(number) if data["party_type"] == "natural_person" and number else number


def _decision(data: dict) -> dict:
    """The decision as every letter prints it: names as registered, the identity number masked."""
    return {
        "deciding_agency": data["deciding_agency"], "decision_type": DECISION_TYPES[data["decision_type"]],
        "decision_number": data.get("decision_number") or "", "decision_date": cn_date(data["decision_date"]),
        "party_name": data["party_name"], "natural_person": data["party_type"] == "natural_person",
        "party_id": published_party_id(data),
        "category": data.get("category") or "", "conclusion": data.get("conclusion") or "",
    }


def _basis(inp: LetterInput, kind: str, *, decision_type: str) -> str:
    """The letter's provisions for the decision's type (articles.yaml lists them by type, "default" for the rest)."""
    by_type = inp.articles[PROCESS]["basis"][kind]
    return cite(inp.articles, by_type.get(decision_type, by_type["default"]))


def enforcement_publication(inp: LetterInput) -> dict:
    data = inp.case["data"]
    publication = data["publication"]
    return base_context(
        inp, title="行政执法决定公示", addressee=PUBLIC,
        basis=_basis(inp, "enforcement_publication", decision_type=data["decision_type"]), **_decision(data),
        published_on=cn_date(publication["published_on"]), period_years=next(iter(publication["rules"].values())),
        period_ends_on=cn_date(publication["period_ends_on"]), channel=publication.get("channel") or "")


def withdrawal_statement(inp: LetterInput) -> dict:
    data = inp.case["data"]
    revocation, withdrawal = data["revocation"], data["withdrawal"]
    return base_context(
        inp, title="撤销公示说明", addressee=PUBLIC,
        basis=_basis(inp, "withdrawal_statement", decision_type=data["decision_type"]), **_decision(data),
        published_on=cn_date(data["publication"]["published_on"]), event=REVOCATION_EVENTS[revocation["event"]],
        event_on=cn_date(revocation["event_on"]), authority=revocation.get("authority") or "",
        withdrawn_on=cn_date(withdrawal["withdrawn_on"]), statement=inp.params["statement"])


def exemption_record(inp: LetterInput) -> dict:
    data, p = inp.case["data"], inp.params
    ground = inp.articles[PROCESS]["grounds"][p["ground"]]
    # The ground's provision, then the one the caseworker typed (the "other" ground has none of its own).
    basis = "；".join(x for x in (cite(inp.articles, ground["basis"]), p.get("basis") or "",
                                 cite(inp.articles, inp.articles[PROCESS]["basis"]["exemption_record"])) if x.strip())
    return base_context(inp, title="行政执法决定不予公示记录", addressee=inp.agency["office"], basis=basis,
                        case_reference=inp.case["reference"], **_decision(data),
                        due_on=cn_date(inp.readings["publication"].due_on), ground=ground["words"],
                        explanation=p["explanation"])


DECISION = ("deciding_agency", "decision_type", "decision_number", "decision_date", "party_name", "natural_person",
            "party_id", "category", "conclusion")
# letters.md: the publication names the deciding agency, the party, category, conclusion, number and dates.
PUBLISHED = ("deciding_agency", "party_name", "category", "conclusion", "decision_number", "decision_date")
LETTERS = {
    "enforcement_publication": LetterKind(
        "enforcement_publication", "行政执法决定公示", "执公", "enforcement_publication.docx", enforcement_publication,
        required=("basis", *PUBLISHED, "published_on", "period_years", "period_ends_on"),
        variables=(*DECISION, "published_on", "period_years", "period_ends_on", "channel"),
        form=True),  # a 公示: the decision's particulars in a form, to the public
    "withdrawal_statement": LetterKind(
        "withdrawal_statement", "撤销公示说明", "撤公", "withdrawal_statement.docx", withdrawal_statement,
        required=("basis", "deciding_agency", "party_name", "decision_date", "published_on", "event", "event_on",
                  "withdrawn_on", "statement"),
        variables=(*DECISION, "published_on", "event", "event_on", "authority", "withdrawn_on", "statement")),
    "exemption_record": LetterKind(
        "exemption_record", "行政执法决定不予公示记录", "不公", "exemption_record.docx", exemption_record,
        required=("basis", "deciding_agency", "party_name", "decision_date", "due_on", "ground", "explanation"),
        variables=(*DECISION, "case_reference", "due_on", "ground", "explanation"),
        outgoing=False, form=True),  # kept on file (存档备查): it may record an earlier business date
}
