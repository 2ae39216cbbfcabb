"""The table of legal provisions (templates_docx/articles.yaml) checked against the legal facts of
docs/legal/law.md (a copy of the contract's law.md): every provision a letter cites is the one law.md gives
for that letter, reply variant or ground, and law.md's row for it says what the letter relies on. The
agency's own work points, which law.md does not quote, are checked against the rule law.md states that they
restate, and against their own text when it is beside this checkout."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from workflow.letters import cite, cn_number

ROOT = Path(__file__).resolve().parents[1]
TABLE = yaml.safe_load((ROOT / "templates_docx" / "articles.yaml").read_text(encoding="utf-8"))
LAW_MD = (ROOT / "docs" / "legal" / "law.md").read_text(encoding="utf-8")
CONTRACT_LAW_MD = ROOT.parent / "shared" / "domain" / "law.md"
WORK_POINTS_TXT = ROOT.parent / "shared" / "domain" / "work_points_2019.txt"

# key -> (citations as (law, article, paragraph, item), a phrase law.md states for the first of them)
# 条例 rows are law.md §1.2 (article map) and §1.4 (Art. 36 items); the others are quoted where they stand.
DISCLOSURE = {
    "correction_notice": ([("条例", 30, None, None)], "notify **once**"),
    "reasons_notice": ([("条例", 35, None, None)], "may ask for reasons"),
    "third_party_consultation": ([("条例", 32, None, None)], "consult the third party **in writing**"),
    "third_party_disclosure_notice": ([("条例", 15, None, None), ("条例", 32, None, None)], "unless** the third party consents"),
    "agency_consultation": ([("条例", 34, None, None)], "deemed consent"),
    "fee_notice": ([("条例", 42, None, None), ("收费办法", 3, None, None), ("收费办法", 4, None, None),
                    ("收费办法", 5, None, None)], "information processing fee"),
    "extension_notice": ([("条例", 33, 2, None)], "extension at most **20 working days**"),
    "disclosed/disclose": ([("条例", 36, None, 2)], "info can be disclosed"),
    "disclosed/already_public": ([("条例", 36, None, 1)], "info already proactively disclosed"),
    "partially_disclosed/partial": ([("条例", 37, None, None)], "provide the disclosable parts"),
    "withheld": ([("条例", 36, None, 3)], "decides not to disclose"),
    "withheld/administrative_inquiry": ([("条例", 36, None, 7)], "special access rules"),
    "unavailable/not_held": ([("条例", 36, None, 4)], "no such info"),
    "unavailable/not_this_agency": ([("条例", 36, None, 5)], "not this agency's to disclose"),
    "unavailable/needs_creation": ([("条例", 38, None, None)], "加工、分析"),
    "unavailable/unclear_after_correction": ([("条例", 30, None, None)], "If the content is unclear"),
    "not_processed/petition_complaint": ([("条例", 39, 1, None)], "信访、投诉、举报"),
    "not_processed/repeat_application": ([("条例", 36, None, 6)], "repeats an application already answered"),
    "not_processed/publication": ([("条例", 39, 2, None)], "public publications"),
    "not_processed/unreasonable_volume": ([("条例", 35, None, None)], "will **not be processed**"),
    # The regulation has no article for it; law.md §2.3 gives the report format's item that classes it.
    "not_processed/confirm_or_reissue": ([("年报格式", "三（五）5", None, None)], "要求行政机关确认或重新出具已获取信息"),
    "closed_other/correction_lapsed": ([("条例", 30, None, None)], "**deemed abandoned**"),
    "closed_other/fee_unpaid": ([("收费办法", None, None, None)], "**deemed to have abandoned**"),
    "closed_other/withdrawn": ([], "no article on withdrawal"),
}
GROUNDS = {
    "state_secret": ([("条例", 14, None, None)], "state secret"),
    "prohibited_by_law": ([("条例", 14, None, None)], "laws or administrative regulations prohibit"),
    "security_stability": ([("条例", 14, None, None)], "economic security or social stability"),
    "third_party_rights": ([("条例", 15, None, None)], "trade secrets"),
    "internal_affairs": ([("条例", 16, 1, None)], "内部事务信息"),
    "process_information": ([("条例", 16, 2, None)], "过程性信息"),
    "enforcement_case_file": ([("条例", 16, 2, None)], "行政执法案卷信息"),
    "administrative_inquiry": ([("条例", 36, None, 7)], "special access rules"),
}
REMEDIES = {
    "period": ([("行政复议法", 20, None, None)], "Art. 20: apply within **60 days**"),
    "reconsideration_first": ([("行政复议法", 23, 1, 4)], "Art. 23(4)"),
    "lawsuit": ([("行政诉讼法", 46, None, None)], "within **6 months** from knowing of the act (Art. 46)"),
}
ITEMS = {1: "(一)", 2: "(二)", 3: "(三)", 4: "(四)", 5: "(五)", 6: "(六)", 7: "(七)"}


def provision(article: int | str | None, paragraph: int | None, item: int | None) -> str:
    if article is None or isinstance(article, str):
        return article or ""
    text = f"第{cn_number(article)}条"
    text += f"第{cn_number(paragraph)}款" if paragraph else ""
    return text + (f"第（{cn_number(item)}）项" if item else "")


def references(citations) -> list[str]:
    return [f"{law} {provision(a, p, i)}".strip() for law, a, p, i in citations]


def law_md_row(law: str, article: int | None, paragraph: int | None, item: int | None) -> str:
    """What law.md says of a provision: its row in the article map, the Art. 36 item table, or (for the
    other instruments) the whole document, where the phrase is looked up."""
    if law == "年报格式":
        return next(line for line in LAW_MD.splitlines() if line.startswith(f"| {article.replace('（', '(').replace('）', ')')} |"))
    if law != "条例":
        return LAW_MD
    if article == 36 and item:
        return next(line for line in LAW_MD.splitlines() if line.startswith(f"| {ITEMS[item]} |"))
    label = f"{article} ¶{paragraph}" if paragraph else str(article)
    return next(line for line in LAW_MD.splitlines() if line.startswith(f"| {label} |"))


@pytest.mark.parametrize("key", sorted(DISCLOSURE))
def test_each_letter_and_reply_variant_cites_what_law_md_gives(key):
    citations, phrase = DISCLOSURE[key]
    assert TABLE["disclosure_request"]["basis"][key] == references(citations)
    row = law_md_row(*citations[0]) if citations else LAW_MD
    assert phrase in row, (key, row[:200])


@pytest.mark.parametrize("ground", sorted(GROUNDS))
def test_each_ground_of_refusal_cites_what_law_md_gives(ground):
    citations, phrase = GROUNDS[ground]
    assert TABLE["disclosure_request"]["grounds"][ground]["basis"] == references(citations)
    assert phrase in law_md_row(*citations[0])


@pytest.mark.parametrize("part", sorted(REMEDIES))
def test_the_remedies_clause_cites_what_law_md_gives(part):
    citations, phrase = REMEDIES[part]
    assert TABLE["remedies"][part] == references(citations)
    assert phrase in LAW_MD


def test_every_entry_of_the_table_is_checked_and_every_title_is_there():
    assert set(TABLE["disclosure_request"]["basis"]) == set(DISCLOSURE)
    assert set(TABLE["disclosure_request"]["grounds"]) == set(GROUNDS)
    variants = {k for k in DISCLOSURE if "/" in k or k == "withheld"} | {"closed_other/other"}
    assert set(TABLE["disclosure_request"]["titles"]) == variants


def test_every_citation_names_a_law_of_the_table_and_prints_in_full():
    laws = TABLE["laws"]
    for refs in [*TABLE["disclosure_request"]["basis"].values(),
                 *(g["basis"] for g in TABLE["disclosure_request"]["grounds"].values()), *TABLE["remedies"].values()]:
        for ref in refs:
            assert ref.split(" ")[0] in laws, ref
    assert cite(TABLE, ["条例 第三十六条第（二）项"]) == "《中华人民共和国政府信息公开条例》第三十六条第（二）项"
    assert cite(TABLE, ["条例 第十五条", "条例 第三十二条", "收费办法"]) == (
        "《中华人民共和国政府信息公开条例》第十五条、第三十二条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）")


def test_the_agency_jurisdiction_article_is_the_one_law_md_gives_for_a_justice_department():
    from config import DEMO_GZSFT
    assert DEMO_GZSFT["reconsideration"] == {"bodies": ["贵州省人民政府", "中华人民共和国司法部"], "article": "行政复议法 第二十八条"}
    assert "**Art. 28: acts of a local 司法行政部门" in LAW_MD


@pytest.mark.skipif(not CONTRACT_LAW_MD.exists(), reason="the contract's law.md is not beside this checkout")
def test_the_copy_of_law_md_is_the_contract():
    assert LAW_MD == CONTRACT_LAW_MD.read_text(encoding="utf-8")


# -- the other processes: law.md §4 (enforcement publicity), §5 (policy interpretation), §6 (opinion response) --
def law_md_section(number: str) -> list[str]:
    """The lines of law.md's section "## 4." or "### 1.2", up to the next heading of its level or above."""
    lines = LAW_MD.splitlines()
    heading = f"## {number}." if "." not in number else f"### {number} "
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    ends = ("## ",) if "." not in number else ("## ", "### ")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(ends)), len(lines))
    return lines[start:end]


def law_md_line(number: str, *phrases: str) -> str:
    """The line (row or sentence) of a law.md section that holds every phrase."""
    found = [line for line in law_md_section(number) if all(p in line for p in phrases)]
    assert found, (number, phrases)
    return found[0]


# A provision as the table cites it -> (the law.md section, how its line names the provision, what that line
# states). law.md quotes no line of the agency's work points: theirs is the line of the rule they restate.
PROVISIONS = {
    "条例 第十四条": ("1.2", "| 14 |", "state secret"),
    "条例 第十五条": ("1.2", "| 15 |", "personal privacy"),
    "条例 第二十条第（五）项": ("4", "GOI Art. 20(5)(6)", "proactive publication of licensing results"),
    "条例 第二十条第（六）项": ("4", "GOI Art. 20(5)(6)", "penalty decisions the agency considers to have some social impact"),
    "行政许可法 第四十条": ("4", "(ALic Art. 40)", "approvals of administrative licences must be made public"),
    "行政处罚法 第四十八条第一款": ("4", "(APL Art. 48 ¶1)", "具有一定社会影响的行政处罚决定应当依法公开"),
    "行政处罚法 第四十八条第二款": ("4", "Administrative Penalty Law Art. 48 ¶2", "withdrawal **within 3 days**"),
    "118号": ("4", "(国办发〔2018〕118号)", "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"),
    "61号": ("6", "国办发〔2016〕61号", "《关于在政务公开工作中进一步做好政务舆情回应的通知》"),
    "80号": ("5", "国办发〔2016〕80号", "《〈关于全面推进政务公开工作的意见〉实施细则》"),
    "工作要点 第一部分第（二）项": ("5", "谁起草、谁解读", "同步组织、同步审签、同步部署"),
    "工作要点 二（三）": ("4", "**Timing**", "**administrative licensing and administrative penalty decisions within 7 working days**"),
    "工作要点 一（三）": ("6", "So: emergency", "other → 48 h"),
}
# Where in the table -> (its citations, the law.md section and a phrase it states for what the letter relies on).
OTHER_PROCESSES = {
    ("policy_interpretation", "basis", "return_notice"): (
        ["工作要点 第一部分第（二）项"], "5", "drafts submitted without the unit-head-approved 解读方案/解读材料 are returned"),
    ("policy_interpretation", "basis", "interpretation_record"): (
        ["工作要点 第一部分第（二）项"], "5", "**Deadline for publishing the interpretation**"),
    ("enforcement_disclosure", "basis", "enforcement_publication", "administrative_licence"): (
        ["118号", "工作要点 二（三）", "行政许可法 第四十条", "条例 第二十条第（五）项"], "4",
        "**Fields published after a decision**: 执法机关 (agency), 执法对象 (target), 执法类别 (category), 执法结论"),
    ("enforcement_disclosure", "basis", "enforcement_publication", "administrative_penalty"): (
        ["118号", "工作要点 二（三）", "行政处罚法 第四十八条第一款", "条例 第二十条第（六）项"], "4",
        "**Fields published after a decision**: 执法机关 (agency), 执法对象 (target), 执法类别 (category), 执法结论"),
    # law.md gives Art. 20(6) for penalty decisions only: a 行政强制 decision and every other type cite no article of it.
    ("enforcement_disclosure", "basis", "enforcement_publication", "default"): (
        ["118号", "工作要点 二（三）"], "4",
        "**Fields published after a decision**: 执法机关 (agency), 执法对象 (target), 执法类别 (category), 执法结论"),
    ("enforcement_disclosure", "basis", "withdrawal_statement", "administrative_penalty"): (
        ["行政处罚法 第四十八条第二款", "118号", "工作要点 二（三）"], "4",
        "changed, revoked, confirmed illegal or confirmed void, with public reasons"),
    ("enforcement_disclosure", "basis", "withdrawal_statement", "default"): (
        ["118号", "工作要点 二（三）"], "4",
        "removal of published decisions that are revoked, confirmed illegal or ordered to be re-made"),
    ("enforcement_disclosure", "basis", "exemption_record"): (["118号"], "4", "事后公开 (decision results)"),
    ("opinion_response", "basis", "response_record"): (
        ["工作要点 一（三）"], "6", "for 舆情 involving **especially major or major emergencies**"),
    ("opinion_response", "clocks", "information"): (["80号"], "6", "emergency → 5 h authoritative info (80号)"),
    ("opinion_response", "clocks", "press_conference"): (
        ["61号", "80号"], "6", "24 h press conference (61号 and 80号)"),
    ("opinion_response", "clocks", "response"): (["61号"], "6", "other → 48 h (61号)"),
}
# A ground for not publishing an enforcement decision -> (its citations, a phrase of law.md's row for them).
ENFORCEMENT_GROUNDS = {
    "state_secret": (["条例 第十四条"], "state secret"),
    "prohibited_by_law": (["条例 第十四条"], "laws or administrative regulations prohibit"),
    "security_stability": (["条例 第十四条"], "economic security or social stability"),
    "commercial_secret": (["条例 第十五条"], "trade secrets (商业秘密)"),
    "personal_privacy": (["条例 第十五条"], "personal privacy (个人隐私)"),
    "other": ([], None),  # the caseworker types the provision
}
# The agency's work points (work_points_2019.txt): provision -> (part, item, a sentence of it the letters rely on).
WORK_POINTS = {
    "第一部分第（二）项": ("一", "二", "对未按规定同步报送解读材料的发文申请,严格实行退文处理"),
    "二（三）": ("二", "三", "已公开的行政执法决定被依法撤销、确认违法或者要求重新作出的,应当在3个工作日内从信息公示平台撤下"),
    "一（三）": ("一", "三", "涉及特别重大突发事件的政务舆情,最迟在5小时内发布权威信息,在24小时内举行新闻发布会,"
                     "其他政务舆情应在48小时内予以回应"),
}
TITLES = {
    "工作要点": "《贵州省司法厅2019年政务公开工作要点》",
    "118号": "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
             "（国办发〔2018〕118号）",
    "行政处罚法": "《中华人民共和国行政处罚法》",
    "行政许可法": "《中华人民共和国行政许可法》",
    "61号": "《国务院办公厅关于在政务公开工作中进一步做好政务舆情回应的通知》（国办发〔2016〕61号）",
    "80号": "《〈关于全面推进政务公开工作的意见〉实施细则》（国办发〔2016〕80号）",
}


def entry(path: tuple[str, ...]):
    node = TABLE
    for key in path:
        node = node[key]
    return node


def leaves(node, path=()) -> set[tuple[str, ...]]:
    if isinstance(node, dict):
        return {leaf for key, value in node.items() for leaf in leaves(value, (*path, key))}
    return {path}


@pytest.mark.parametrize("provision", sorted(PROVISIONS))
def test_each_provision_the_other_processes_cite_is_where_law_md_states_it(provision):
    law_md_line(*PROVISIONS[provision])


@pytest.mark.parametrize("path", sorted(OTHER_PROCESSES), ids="/".join)
def test_each_record_form_cites_what_law_md_gives(path):
    citations, section, phrase = OTHER_PROCESSES[path]
    assert entry(path) == citations
    assert all(ref in PROVISIONS for ref in citations)
    law_md_line(section, phrase)


@pytest.mark.parametrize("ground", sorted(ENFORCEMENT_GROUNDS))
def test_each_ground_for_not_publishing_an_enforcement_decision_cites_what_law_md_gives(ground):
    citations, phrase = ENFORCEMENT_GROUNDS[ground]
    assert TABLE["enforcement_disclosure"]["grounds"][ground]["basis"] == citations
    for ref in citations:
        section, marker, _ = PROVISIONS[ref]
        assert phrase in law_md_line(section, marker)


def test_every_entry_of_the_other_processes_is_checked_and_every_title_is_the_instruments():
    from workflow.processes.enforcement_disclosure import EXEMPTION_GROUNDS
    sections = ("policy_interpretation", "enforcement_disclosure", "opinion_response")
    table = {name: {k: v for k, v in TABLE[name].items() if k != "grounds"} for name in sections}
    assert leaves(table) == set(OTHER_PROCESSES)
    assert set(TABLE["enforcement_disclosure"]["grounds"]) == set(ENFORCEMENT_GROUNDS) == set(EXEMPTION_GROUNDS)
    for short, title in TITLES.items():
        assert TABLE["laws"][short] == title
    for short in ("118号", "61号", "80号"):  # the instrument as law.md names it, and its number
        _, number, name = PROVISIONS[short]
        assert name.strip("《》") in TITLES[short] and number.strip("()") in TITLES[short]
    refs = [*(ref for path in OTHER_PROCESSES for ref in entry(path)),
            *(ref for g in TABLE["enforcement_disclosure"]["grounds"].values() for ref in g["basis"])]
    assert {ref.split(" ")[0] for ref in refs} <= set(TABLE["laws"])
    assert {ref.partition(" ")[2] for ref in refs if ref.startswith("工作要点 ")} == set(WORK_POINTS)


@pytest.mark.skipif(not WORK_POINTS_TXT.exists(), reason="the agency's work points are not beside this checkout")
@pytest.mark.parametrize("provision", sorted(WORK_POINTS))
def test_each_work_point_cited_is_the_agencys_item_that_says_so(provision):
    part, item, sentence = WORK_POINTS[provision]
    text = WORK_POINTS_TXT.read_text(encoding="utf-8").replace(" ", "")
    assert TITLES["工作要点"].strip("《》") in text
    parts = re.split(r"^([一二三四五六七八九十]+)、", text, flags=re.M)
    body = dict(zip(parts[1::2], parts[2::2], strict=True))[part]
    [line] = [line for line in body.splitlines() if line.startswith(f"({item})")]
    assert sentence in line
