"""Table 三 of the annual report on government information disclosure (政府信息公开工作年度报告), in the format of
国办公开办函〔2021〕30号 (law.md §2.3): its columns (the applicant), its rows with their official labels, and which
way a closed application (its terminal state and reason) is counted. Pure data and rules; the service counts.

A legal officer reviews this table: each row names the outcomes it counts. The balance identity of the format
(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和) holds per column.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FORMAT = "国办公开办函〔2021〕30号"
TITLE = "三、收到和处理政府信息公开申请情况"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# Columns: the applicant, by the registration's applicant_type.
COLUMNS = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "public_interest_organisation": "社会公益组织",
    "legal_service_institution": "法律服务机构",
    "other_organisation": "其他",
    "total": "总计",
}
ORGANISATIONS = ("commercial_enterprise", "research_institution", "public_interest_organisation",
                 "legal_service_institution", "other_organisation")
ORGANISATION_HEADER = "法人或其他组织"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    level: int  # 0: a numbered item (一 二 三 四), 1: a result (（一）...), 2: its sub-row (1. ...)
    counts: tuple[tuple[str, str | None], ...] = ()  # (terminal state, reason or None for any) counted here
    parts: tuple[str, ...] = ()  # a sum of these rows


def _closed(state: str, *reasons: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((state, r) for r in reasons) if reasons else ((state, None),)


ROWS = (
    Row("new", "一、本年新收政府信息公开申请数量", 0),
    Row("carried_in", "二、上年结转政府信息公开申请数量", 0),
    Row("results", "三、本年度办理结果", 0),
    Row("disclosed", "（一）予以公开", 1, _closed("disclosed")),
    Row("partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, _closed("partially_disclosed")),
    Row("withheld", "（三）不予公开", 1, parts=tuple(f"withheld_{i}" for i in range(1, 9))),
    Row("withheld_1", "1.属于国家秘密", 2, _closed("withheld", "state_secret")),
    Row("withheld_2", "2.其他法律行政法规禁止公开", 2, _closed("withheld", "prohibited_by_law")),
    Row("withheld_3", "3.危及“三安全一稳定”", 2, _closed("withheld", "security_stability")),
    Row("withheld_4", "4.保护第三方合法权益", 2, _closed("withheld", "third_party_rights")),
    Row("withheld_5", "5.属于三类内部事务信息", 2, _closed("withheld", "internal_affairs")),
    Row("withheld_6", "6.属于四类过程性信息", 2, _closed("withheld", "process_information")),
    Row("withheld_7", "7.属于行政执法案卷", 2, _closed("withheld", "enforcement_case_file")),
    Row("withheld_8", "8.属于行政查询事项", 2, _closed("withheld", "administrative_inquiry")),
    Row("unavailable", "（四）无法提供", 1, parts=("unavailable_1", "unavailable_2", "unavailable_3")),
    # Art. 36(4) and (5): information this agency does not hold, and information of another agency.
    Row("unavailable_1", "1.本机关不掌握相关政府信息", 2, _closed("unavailable", "not_held", "not_this_agency")),
    Row("unavailable_2", "2.没有现成信息需要另行制作", 2, _closed("unavailable", "needs_creation")),
    Row("unavailable_3", "3.补正后申请内容仍不明确", 2, _closed("unavailable", "unclear_after_correction")),
    Row("not_processed", "（五）不予处理", 1, parts=tuple(f"not_processed_{i}" for i in range(1, 6))),
    Row("not_processed_1", "1.信访举报投诉类申请", 2, _closed("not_processed", "petition_complaint")),
    Row("not_processed_2", "2.重复申请", 2, _closed("not_processed", "repeat_application")),
    Row("not_processed_3", "3.要求提供公开出版物", 2, _closed("not_processed", "publication")),
    Row("not_processed_4", "4.无正当理由大量反复申请", 2, _closed("not_processed", "unreasonable_volume")),
    Row("not_processed_5", "5.要求行政机关确认或重新出具已获取信息", 2, _closed("not_processed", "confirm_or_reissue")),
    Row("other", "（六）其他处理", 1, parts=("other_1", "other_2", "other_3")),
    Row("other_1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 2,
        _closed("closed_other", "correction_lapsed")),
    Row("other_2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 2,
        _closed("closed_other", "fee_unpaid")),
    # A withdrawn application is closed without a reply: counted with the other ways an application ends.
    Row("other_3", "3.其他", 2, _closed("closed_other", "other", "withdrawn")),
    Row("handled", "（七）总计", 1, parts=("disclosed", "partially_disclosed", "withheld", "unavailable",
                                        "not_processed", "other")),
    Row("carried_out", "四、结转下年度继续办理", 0),
)
ROW_KEYS = {row.key: row for row in ROWS}
# The rows a closed application is counted in directly (each (state, reason) in exactly one).
RESULT_ROWS = {(state, reason): row.key for row in ROWS for state, reason in row.counts}


def result_row(state: str, reason: str | None) -> str | None:
    """The row a closed application is counted in, or None when no row takes it (the balance then fails,
    naming the case)."""
    return RESULT_ROWS.get((state, reason)) or RESULT_ROWS.get((state, None))


def column_of(applicant_type: str | None) -> str | None:
    return applicant_type if applicant_type in COLUMNS and applicant_type != "total" else None


class Unplaced(ValueError):
    """A closed application whose terminal state and reason no row of the table takes."""


def rows_of(year: int, received_on: dt.date, closed_on: dt.date | None, state: str, reason: str | None) -> list[str]:
    """The rows an application counts in for the year: none when it was not open during the year; else 一 or
    二 (received in the year or before it), and the row of its result when it was closed in the year, or 四.
    Raises Unplaced for a result no row takes."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if received_on > end or (closed_on is not None and closed_on < start):
        return []
    return rows_for(received_on >= start, closed_on is not None and closed_on <= end, state, reason)


def rows_for(received_in_year: bool, closed_in_year: bool, state: str | None, reason: str | None) -> list[str]:
    """The rows of an application open during the year, from whether it was received and closed in the year
    (and, closed, its terminal state and reason). Raises Unplaced for a result no row takes."""
    rows = ["new" if received_in_year else "carried_in"]
    if closed_in_year:
        result = result_row(state, reason)
        if result is None:
            raise Unplaced(f"{state}/{reason}")
        rows.append(result)
    else:
        rows.append("carried_out")
    return rows


def leaves(key: str) -> list[str]:
    """The rows a row sums, down to those counted directly (itself when it is one)."""
    parts = ROW_KEYS[key].parts
    return [leaf for part in parts for leaf in leaves(part)] if parts else [key]


def row_path(key: str) -> str:
    """A row's label with its group's, as a person names a cell: "（三）不予公开 1.属于国家秘密"."""
    row = ROW_KEYS[key]
    group = next((r for r in ROWS if key in r.parts and r.key != "handled"), None)
    return f"{group.label} {row.label}" if group else row.label


# -- table 四: reconsideration and litigation (law.md §2.4) --------------------------------------------------
TABLE_FOUR_TITLE = "四、政府信息公开行政复议、行政诉讼情况"
PROCEEDING_KINDS = {"reconsideration": "行政复议", "lawsuit": "行政诉讼（未经复议直接起诉）",
                    "lawsuit_after_reconsideration": "行政诉讼（复议后起诉）"}
# The table's three groups: 行政复议 | 行政诉讼: 未经复议直接起诉, 复议后起诉.
GROUPS = {"reconsideration": "行政复议", "lawsuit": "未经复议直接起诉", "lawsuit_after_reconsideration": "复议后起诉"}
RESULTS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果"}
FOUR_COLUMNS = {**RESULTS, "pending": "尚未审结", "total": "总计"}


def proceeding_cells(year: int, kind: str, filed_on: dt.date, result: str | None,
                     decided_on: dt.date | None) -> list[tuple[str, str]]:
    """The cells of table 四 a proceeding counts in for the year: decided in the year, under its result;
    filed by the end of the year and not decided by then, under 尚未审结; each also under 总计."""
    end = dt.date(year, 12, 31)
    if decided_on is not None and decided_on.year == year:
        return [(kind, result), (kind, "total")]
    if filed_on <= end and (decided_on is None or decided_on > end):
        return [(kind, "pending"), (kind, "total")]
    return []
