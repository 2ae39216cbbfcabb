"""The letters of enforcement_disclosure (letters.md "enforcement_disclosure"): the publication, the
statement that withdraws it and the record of not publishing. A natural person's identity number is
masked in every one of them; every date and provision is computed from the case."""
from __future__ import annotations

from ..engine import LetterKind
from ..fields import mask_identity_number
from ..letters import RECORD_VARIABLES, LetterInput, article, cn_date, record_context

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
GUIDELINE_118 = ("《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
                 "（国办发〔2018〕118号）")
WORK_POINTS = "《贵州省司法厅2019年政务公开工作要点》二（三）"
PENALTY_LAW = "《中华人民共和国行政处罚法》"
LICENCE_LAW = "《中华人民共和国行政许可法》"
# ground → (what the record says, the provision it rests on; None: typed by the caseworker)
EXEMPTION_TEXT = {
    "state_secret": ("涉及国家秘密", article(14)),
    "prohibited_by_law": ("属于法律、行政法规禁止公开的信息", article(14)),
    "security_stability": ("公开后可能危及国家安全、公共安全、经济安全、社会稳定", article(14)),
    "commercial_secret": ("涉及商业秘密，公开会对第三方合法权益造成损害", article(15)),
    "personal_privacy": ("涉及个人隐私，公开会对第三方合法权益造成损害", article(15)),
    "other": ("属于法律、行政法规规定不予公开的其他情形", None),
}
EXEMPTION_GROUNDS = {
    "state_secret": "涉及国家秘密",
    "prohibited_by_law": "法律、行政法规禁止公开",
    "security_stability": "危及“三安全一稳定”",
    "commercial_secret": "涉及商业秘密",
    "personal_privacy": "涉及个人隐私",
    "other": "其他法定事由",
}
PUBLIC = "社会公众"


def published_party_id(data: dict) -> str:
    """The party's identity number as it may be published: a natural person's is always masked."""
    number = data.get("party_id_number") or ""
    return mask_identity_number(number) if data["party_type"] == "natural_person" and number else number


def _id_label(data: dict) -> str:
    return "居民身份证号码" if data["party_type"] == "natural_person" else "统一社会信用代码"


def party_text(data: dict) -> str:
    """The party as published: name exactly as registered, then the (masked) identity number."""
    number = published_party_id(data)
    return f"{data['party_name']}（{_id_label(data)}：{number}）" if number else data["party_name"]


def _decision(data: dict) -> str:
    number = f"（{data['decision_number']}）" if (data.get("decision_number") or "").strip() else ""
    return (f"{data['deciding_agency']}于{cn_date(data['decision_date'])}作出的"
            f"{DECISION_TYPES[data['decision_type']]}决定{number}")


def _decision_rows(data: dict) -> list[list[str]]:
    rows = [["执法机关", data["deciding_agency"]], ["执法对象", data["party_name"]]]
    if published_party_id(data):
        rows.append([_id_label(data), published_party_id(data)])
    rows += [["执法行为类型", DECISION_TYPES[data["decision_type"]]]]
    rows += [[label, data[key]] for label, key in (("执法类别", "category"), ("执法结论", "conclusion"),
                                                   ("执法决定文书号", "decision_number"))
             if (data.get(key) or "").strip()]
    rows.append(["执法决定日期", cn_date(data["decision_date"])])
    return rows


def _publication_basis(decision_type: str) -> str:
    extra = {
        "administrative_licence": f"{LICENCE_LAW}第四十条；{article(20, item=5)}",
        "administrative_penalty": f"{PENALTY_LAW}第四十八条第一款；{article(20, item=6)}",
        "administrative_enforcement": article(20, item=6),
    }.get(decision_type)
    return "；".join(x for x in (GUIDELINE_118, WORK_POINTS, extra) if x)


def _period_words(publication: dict) -> str:
    years = next(iter(publication["rules"].values()))
    return f"自公示之日起{years}年（至{cn_date(publication['period_ends_on'])}）"


def enforcement_publication(inp: LetterInput) -> dict:
    data = inp.case["data"]
    publication = data["publication"]
    rows = _decision_rows(data) + [["公示日期", cn_date(publication["published_on"])],
                                   ["公示期限", _period_words(publication)]]
    if publication.get("channel"):
        rows.append(["公示渠道", publication["channel"]])
    return record_context(
        inp, title="行政执法决定公示", addressee=PUBLIC,
        recital=f"{_decision(data)}，执法对象为{party_text(data)}。",
        paragraphs=[
            "根据“谁执法谁公示”的原则和行政执法公示制度的规定，现将该行政执法决定的执法机关、执法对象、执法类别、"
            "执法结论等信息公示如下。公示期间对公示内容有异议的，可以通过下列联系方式向本机关反映。",
        ],
        table_header=["公示事项", "内容"], table=rows,
        basis=_publication_basis(data["decision_type"]), closing="特此公示。")


def withdrawal_statement(inp: LetterInput) -> dict:
    data = inp.case["data"]
    revocation, withdrawal = data["revocation"], data["withdrawal"]
    by = f"（{revocation['authority']}）" if revocation.get("authority") else ""
    event = REVOCATION_EVENTS[revocation["event"]]
    rows = _decision_rows(data) + [
        ["原公示日期", cn_date(data["publication"]["published_on"])],
        ["撤下原因", f"执法决定{event}"],
        ["撤销、确认违法或者要求重新作出的日期", cn_date(revocation["event_on"])],
        ["撤下日期", cn_date(withdrawal["withdrawn_on"])],
    ]
    basis = [GUIDELINE_118, WORK_POINTS]
    if data["decision_type"] == "administrative_penalty":
        basis.insert(0, f"{PENALTY_LAW}第四十八条第二款")
    return record_context(
        inp, title="撤销公示说明", addressee=PUBLIC,
        recital=(f"本机关于{cn_date(data['publication']['published_on'])}公示了{_decision(data)}，"
                 f"执法对象为{party_text(data)}。"),
        paragraphs=[
            f"该执法决定已于{cn_date(revocation['event_on'])}{event}{by}。根据有关规定，本机关已于"
            f"{cn_date(withdrawal['withdrawn_on'])}从行政执法信息公示平台撤下原行政执法决定信息，现公开说明理由如下：",
            inp.params["statement"],
        ],
        table_header=["事项", "内容"], table=rows, basis="；".join(basis), closing="特此说明。")


def exemption_record(inp: LetterInput) -> dict:
    data, p = inp.case["data"], inp.params
    words, provision = EXEMPTION_TEXT[p["ground"]]
    due = inp.readings["publication"].due_on
    return record_context(
        inp, title="行政执法决定不予公示记录", addressee=inp.agency["office"],
        recital=(f"{_decision(data)}，执法对象为{party_text(data)}。按照行政执法公示制度，该决定原应于"
                 f"{cn_date(due)}前公示。"),
        paragraphs=[
            f"经审核，该行政执法决定{words}，决定不予公示。",
            f"不予公示的理由：{p['explanation']}",
            "不予公示的情形消失后，应当依照规定及时公示。本记录存档备查。",
        ],
        table_header=["事项", "内容"], table=_decision_rows(data),
        basis="；".join(x for x in (provision, p.get("basis"), GUIDELINE_118) if x and x.strip()), closing="特此记录。")


LETTERS = {
    "enforcement_publication": LetterKind("enforcement_publication", "行政执法决定公示", "执公",
                                          "enforcement_publication.docx", enforcement_publication,
                                          required=("basis", "table"), variables=RECORD_VARIABLES),
    "withdrawal_statement": LetterKind("withdrawal_statement", "撤销公示说明", "撤公", "withdrawal_statement.docx",
                                       withdrawal_statement, required=("basis", "table"), variables=RECORD_VARIABLES),
    "exemption_record": LetterKind("exemption_record", "行政执法决定不予公示记录", "不公", "exemption_record.docx",
                                   exemption_record, required=("basis", "table"), variables=RECORD_VARIABLES),
}
