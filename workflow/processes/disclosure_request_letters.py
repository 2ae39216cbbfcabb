"""The letters of disclosure_request (letters.md): every legal element computed from the case, its
clocks and its decision; every text a person typed passed through unchanged."""
from __future__ import annotations

import datetime as dt

from .. import fees
from ..engine import LetterKind
from ..letters import LetterInput, article, base_context, cn_date, remedies

REG = "《中华人民共和国政府信息公开条例》"
FEE_RULE = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
CHANNEL_WORDS = {"in_person": "当面提交", "registered_post": "邮寄（需签收）", "ordinary_post": "平常信函",
                 "online": "互联网渠道", "fax": "传真"}
GROUND_TEXT = {
    "state_secret": ("属于国家秘密", article(14)),
    "prohibited_by_law": ("属于法律、行政法规禁止公开的政府信息", article(14)),
    "security_stability": ("公开后可能危及国家安全、公共安全、经济安全、社会稳定", article(14)),
    "third_party_rights": ("涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害", article(15)),
    "internal_affairs": ("属于人事管理、后勤管理、内部工作流程等内部事务信息", article(16, paragraph=1)),
    "process_information": ("属于讨论记录、过程稿、磋商信函、请示报告等过程性信息", article(16, paragraph=2)),
    "enforcement_case_file": ("属于行政执法案卷信息", article(16, paragraph=2)),
    "administrative_inquiry": ("属于法律、行政法规对信息的获取有特别规定的行政查询事项，请依照有关法律、行政法规的规定办理",
                               article(36, item=7)),
}


def fee_lines(params: dict) -> list[fees.FeeLine]:
    if params.get("basis") == fees.PER_PIECE:
        return fees.compute(fees.PER_PIECE, units=params["pieces"],
                            already_counted=params.get("pieces_already_this_month") or 0)
    return fees.compute(fees.PER_VOLUME, units=params["pages"])


def fee_total(params: dict) -> int:
    return fees.total(fee_lines(params))


def _you(case: dict) -> str:
    return "你" if case["data"]["applicant_type"] == "natural_person" else "你单位"


def _recital(inp: LetterInput) -> str:
    data = inp.case["data"]
    doc = "".join([f"（文件名称：{data['document_title']}）" if data.get("document_title") else "",
                   f"（文号：{data['document_number']}）" if data.get("document_number") else ""])
    return (f"本机关于{cn_date(inp.case['received_on'])}收到{_you(inp.case)}通过{CHANNEL_WORDS[data['channel']]}"
            f"提出的政府信息公开申请，申请获取：{data['description']}{doc}。")


def _due(inp: LetterInput, clock: str) -> str:
    return cn_date(inp.readings[clock].due_on)


def correction_notice(inp: LetterInput) -> dict:
    you = _you(inp.case)
    return base_context(
        inp, title="政府信息公开申请补正告知书", addressee=inp.case["data"]["applicant_name"], recital=_recital(inp),
        paragraphs=[
            f"经审查，{you}的申请内容不明确。根据{article(30)}的规定，现一次性告知{you}需要补正的事项如下：",
        ],
        items=list(inp.params["items"]),
        basis=f"{article(30)}",
        closing="特此告知。",
    ) | {"after_items": [
        f"请{you}于{_due(inp, 'correction')}前向本机关提交补正后的申请。答复期限自本机关收到补正后的申请之日起计算。",
        f"{you}无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ]}


def reasons_notice(inp: LetterInput) -> dict:
    you = _you(inp.case)
    return base_context(
        inp, title="政府信息公开申请说明理由告知书", addressee=inp.case["data"]["applicant_name"], recital=_recital(inp),
        paragraphs=[
            f"经审查，{you}申请公开政府信息的数量、频次明显超过合理范围，具体情况为：{inp.params['grounds']}",
            f"根据{article(35)}的规定，请{you}于{_due(inp, 'reasons')}前说明理由，需要说明的事项为：{inp.params['asked']}",
            f"本机关认为申请理由不合理的，将告知{you}不予处理；认为申请理由合理，但无法在规定期限内答复的，"
            f"将确定合理的延迟答复期限并告知{you}。",
        ],
        basis=article(35))


def third_party_consultation(inp: LetterInput) -> dict:
    # Art. 32: the third party learns what information is concerned, never who asked for it.
    p = inp.params
    return base_context(
        inp, title="政府信息公开申请征求第三方意见书", addressee=p["third_party_name"],
        recital=f"本机关于{cn_date(inp.case['received_on'])}收到一份政府信息公开申请，所申请的政府信息涉及贵方。",
        paragraphs=[
            f"申请公开的政府信息为：{p['information']}",
            f"本机关认为，公开上述信息可能损害贵方的合法权益，理由是：{p['impact']}",
            f"根据{article(32)}的规定，现书面征求贵方意见。请于{_due(inp, 'consultation')}前书面答复是否同意公开；"
            "不同意公开的，请说明理由。",
            "逾期未提出意见的，由本机关依照条例的规定决定是否公开。第三方不同意公开且有合理理由的，本机关不予公开；"
            "但本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，并将决定公开的政府信息内容和理由书面告知贵方。",
        ],
        basis=article(32), closing="特此函询。")


def agency_consultation(inp: LetterInput) -> dict:
    p = inp.params
    return base_context(
        inp, title="政府信息公开申请征求意见函", addressee=p["agency_name"],
        recital=f"本机关于{cn_date(inp.case['received_on'])}收到一份政府信息公开申请，所申请的政府信息由贵机关与本机关共同制作。",
        paragraphs=[
            f"申请公开的政府信息为：{p['information']}",
            f"根据{article(34)}的规定，现征求贵机关意见，请于{_due(inp, 'consultation')}前书面答复。",
            "逾期未答复的，视为同意公开。",
        ],
        basis=article(34), closing="特此函告。")


def fee_notice(inp: LetterInput) -> dict:
    you, p = _you(inp.case), inp.params
    lines = fee_lines(p)
    unit = "件" if p["basis"] == fees.PER_PIECE else "页"
    basis_words = "按件计收" if p["basis"] == fees.PER_PIECE else "按量计收"
    counted = (f"本月此前已计{p.get('pieces_already_this_month') or 0}件，本申请计{p['pieces']}件"
               if p["basis"] == fees.PER_PIECE else f"本申请共{p['pages']}页")
    payment = p.get("payment_method") or inp.agency["fee_payment_method"]
    return base_context(
        inp, title="政府信息公开信息处理费收费通知书", addressee=inp.case["data"]["applicant_name"], recital=_recital(inp),
        paragraphs=[
            f"经审查，{you}申请公开政府信息的数量、频次明显超过合理范围，根据{article(42)}和{FEE_RULE}的规定，"
            f"本机关决定{basis_words}信息处理费（同一申请只采用一种计收方式，不叠加计收）。{counted}，按超额累进方式计算如下：",
            f"应缴信息处理费合计{fees.total(lines)}元。",
            f"缴费方式：{payment}",
            f"请于{_due(inp, 'fee')}前缴纳（自收到本通知次日起{inp.rules['fee_payment_days']}个工作日内）。逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        ],
        table_header=["计费区段", f"数量（{unit}）", "金额（元）"],
        table=[[line.band.label(unit), str(line.units), str(line.amount)] for line in lines],
        basis=f"{article(42)}；{FEE_RULE}第三条、第四条、第五条")


def extension_notice(inp: LetterInput) -> dict:
    you = _you(inp.case)
    return base_context(
        inp, title="政府信息公开申请延期答复告知书", addressee=inp.case["data"]["applicant_name"], recital=_recital(inp),
        paragraphs=[
            f"本机关原定答复期限为{cn_date(inp.notes['due_before_extension'])}。因{inp.params['reason']}，"
            f"需要延长答复期限。经本机关政府信息公开工作机构负责人同意，答复期限延长{inp.params['days']}个工作日，"
            f"延长后的答复期限为{_due(inp, 'reply')}。",
            f"本机关将在上述期限内向{you}作出答复。",
        ],
        basis=article(33, paragraph=2))


# -- the reply and its variants ---------------------------------------------------------------------
def reply(inp: LetterInput) -> dict:
    case, you = inp.case, _you(inp.case)
    state, reason = case["state"], case["reason"]
    proposal = case["data"].get("proposal", {})
    title, paragraphs, basis, table_header, table = "政府信息公开申请答复书", [], "", [], []
    first = remedies(inp.agency, reconsideration_first=False)
    if state == "disclosed" and reason == "disclose":
        paragraphs = [f"经审查，{you}申请获取的政府信息属于可以公开的政府信息，本机关决定予以公开。",
                      f"提供的信息及形式：{proposal['provided']}", f"获取的时间、方式和地点：{proposal['obtain']}"]
        basis = article(36, item=2)
    elif state == "disclosed":
        paragraphs = [f"经审查，{you}申请获取的政府信息已经主动公开。该信息题为《{proposal['published_title']}》，"
                      f"已于{cn_date(proposal['published_on'])}在{proposal['published_channel']}公开，"
                      f"{you}可以通过上述渠道获取。"]
        basis = article(36, item=1)
    elif state == "partially_disclosed":
        paragraphs = [f"经审查，{you}申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。本机关决定向{you}"
                      "提供可以公开的部分，对不予公开的部分说明理由如下表。",
                      f"提供的信息及形式：{proposal['provided']}", f"获取的时间、方式和地点：{proposal['obtain']}"]
        table_header = ["不予公开的部分", "理由", "依据"]
        table = [[part["part"], GROUND_TEXT[part["ground"]][0] + (f"。{part['explanation']}" if part.get("explanation") else ""),
                  GROUND_TEXT[part["ground"]][1]] for part in proposal["withheld_parts"]]
        basis = "；".join(dict.fromkeys([article(37)] + [GROUND_TEXT[p["ground"]][1] for p in proposal["withheld_parts"]]))
        # The withheld parts are a refusal to disclose: reconsideration comes first (行政复议法 Art. 23(4)).
        first = remedies(inp.agency, reconsideration_first=True)
    elif state == "withheld":
        ground, ground_article = GROUND_TEXT[reason]
        title = "政府信息不予公开告知书"
        paragraphs = [f"经审查，{you}申请获取的政府信息{ground}，本机关决定不予公开。",
                      f"理由：{proposal['explanation']}"]
        if reason == "third_party_rights":
            paragraphs.append(_consultation_outcome(inp))
        basis = f"{article(36, item=3)}；{ground_article}"
        first = remedies(inp.agency, reconsideration_first=True)
    elif state == "unavailable":
        title, paragraphs, basis = _unavailable(inp, you, reason, proposal)
    elif state == "not_processed":
        paragraphs, basis = _not_processed(inp, you, reason, proposal)
    elif reason == "correction_lapsed":
        paragraphs = [f"本机关已于{cn_date(_fired_on(inp, 'request_correction'))}告知{you}补正申请，补正期限至"
                      f"{cn_date(inp.readings['correction'].due_on)}届满。{you}无正当理由逾期未补正，视为放弃申请，"
                      "本机关不再处理该政府信息公开申请。"]
        basis = article(30)
    elif reason == "fee_unpaid":
        paragraphs = [f"本机关已于{cn_date(_fired_on(inp, 'issue_fee_notice'))}向{you}发出信息处理费收费通知，"
                      f"缴费期限至{cn_date(inp.readings['fee'].due_on)}届满。{you}逾期未缴纳，视为放弃申请，"
                      "本机关不再处理该政府信息公开申请。"]
        basis = FEE_RULE
    elif reason == "withdrawn":
        title = "政府信息公开申请撤回确认书"
        statement = inp.params.get("statement")
        paragraphs = [f"本机关于{cn_date(inp.issued_on)}收到{you}撤回上述政府信息公开申请的意思表示"
                      + (f"（{statement}）" if statement else "") + "。现确认该申请已撤回，本机关不再处理。"]
        basis = f"申请人自愿撤回申请；{article(45)}"
        first = ""
    else:  # closed_other / other
        paragraphs = [f"经审查，本机关对{you}的申请作如下处理：{proposal['explanation']}"]
        basis = proposal["legal_basis"]  # the caseworker names the rule that applies to this disposition
    # Every terminal reply states the remedies, except the confirmation of a withdrawal (letters.md).
    return base_context(inp, title=title, addressee=case["data"]["applicant_name"], recital=_recital(inp),
                        paragraphs=paragraphs, basis=basis, table_header=table_header, table=table,
                        remedies_text=first, remedies_required=reason != "withdrawn")


def _unavailable(inp: LetterInput, you: str, reason: str, proposal: dict):
    if reason == "not_held":
        return ("政府信息不存在告知书", [f"经检索，本机关没有{you}申请获取的政府信息。"], article(36, item=4))
    if reason == "not_this_agency":
        agency = proposal.get("responsible_agency")
        text = f"经审查，{you}申请获取的政府信息不属于本机关负责公开。"
        if agency:
            text += f"该政府信息的负责公开机关为{agency['name']}" + (f"，联系方式：{agency['contact']}" if agency.get("contact") else "") + "。"
        else:
            text += "本机关未能确定负责公开该政府信息的机关。"
        return ("非本机关政府信息告知书", [text], article(36, item=5))
    if reason == "needs_creation":
        return ("政府信息公开申请答复书",
                [f"经审查，本机关没有{you}所申请的现成信息，提供该信息需要对现有政府信息进行加工、分析，本机关不予提供。"],
                article(38))
    return ("政府信息公开申请答复书",
            [f"{you}于{cn_date(_fired_on(inp, 'receive_correction'))}提交补正，经审查，补正后申请内容仍不明确，本机关无法提供。"],
            article(30))


def _not_processed(inp: LetterInput, you: str, reason: str, proposal: dict):
    if reason == "petition_complaint":
        return ([f"经审查，{you}以政府信息公开申请的形式进行信访、投诉、举报，不作为政府信息公开申请处理。",
                 f"{you}可以通过以下渠道反映：{proposal['proper_channel']}"], article(39, paragraph=1))
    if reason == "repeat_application":
        earlier = proposal["earlier_reply"]
        return ([f"经审查，{you}的申请与本机关已作出答复（{earlier['number']}，{cn_date(earlier['date'])}）的申请内容相同，"
                 "且未提出新的理由，本机关不予重复处理。"], article(36, item=6))
    if reason == "publication":
        return ([f"经审查，{you}申请获取的是公开出版物，本机关不予处理。获取方式：{proposal['publication_how']}"],
                article(39, paragraph=2))
    if reason == "unreasonable_volume":
        return ([f"本机关已要求{you}说明申请理由。经审查，{you}说明的理由不合理，本机关不予处理。"], article(35))
    return ([f"经审查，{you}要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请，本机关不予处理。"],
            f"{article(2)}；{article(36)}")


def _consultation_outcome(inp: LetterInput) -> str:
    replies = [e for e in inp.history if e["trigger"] == "third_party_replied"]
    if replies:
        data = replies[-1]["data"]
        word = "同意公开" if data.get("opinion") == "consent" else "不同意公开"
        return f"本机关依法书面征求了第三方意见，第三方{word}" + (f"，理由为：{data['reasons']}" if data.get("reasons") else "") + "。"
    if any(e["trigger"] == "consultation_lapsed" for e in inp.history):
        return "本机关依法书面征求了第三方意见，第三方逾期未提出意见，由本机关依法决定。"
    return "本机关经审查认定，公开该信息会对第三方合法权益造成损害。"


def _fired_on(inp: LetterInput, trigger: str) -> dt.date | None:
    dates = [e["effective_on"] for e in inp.history if e["trigger"] == trigger]
    return dates[-1] if dates else None


LETTERS = {
    "correction_notice": LetterKind("correction_notice", "政府信息公开申请补正告知书", "补正", "correction_notice.docx",
                                    correction_notice, required=("items", "after_items")),
    "reasons_notice": LetterKind("reasons_notice", "政府信息公开申请说明理由告知书", "说明", "reasons_notice.docx",
                                 reasons_notice),
    "third_party_consultation": LetterKind("third_party_consultation", "政府信息公开申请征求第三方意见书", "征询",
                                           "third_party_consultation.docx", third_party_consultation),
    "agency_consultation": LetterKind("agency_consultation", "政府信息公开申请征求意见函", "征函",
                                      "agency_consultation.docx", agency_consultation),
    "fee_notice": LetterKind("fee_notice", "政府信息公开信息处理费收费通知书", "收费", "fee_notice.docx", fee_notice,
                             required=("table",)),
    "extension_notice": LetterKind("extension_notice", "政府信息公开申请延期答复告知书", "延期", "extension_notice.docx",
                                   extension_notice),
    "reply": LetterKind("reply", "政府信息公开申请答复书", "公开", "reply.docx", reply),
}
