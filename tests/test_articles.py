"""The table of legal provisions (templates_docx/articles.yaml) checked against the legal facts of
docs/legal/law.md (a copy of the contract's law.md): every provision a letter cites is the one law.md gives
for that letter, reply variant or ground, and law.md's row for it says what the letter relies on."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workflow.letters import cite, cn_number

ROOT = Path(__file__).resolve().parents[1]
TABLE = yaml.safe_load((ROOT / "templates_docx" / "articles.yaml").read_text(encoding="utf-8"))
LAW_MD = (ROOT / "docs" / "legal" / "law.md").read_text(encoding="utf-8")
CONTRACT_LAW_MD = ROOT.parent / "shared" / "domain" / "law.md"

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
