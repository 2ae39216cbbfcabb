"""The letters of policy_interpretation (letters.md): the 退文通知单 to the drafting department and the
政策解读发布备案表. What was missing, the deadline and whether it held are computed from the case and its
clock; every text a person typed is passed through unchanged."""
from __future__ import annotations

import datetime as dt

from ..engine import LetterKind
from ..letters import RECORD_VARIABLES, LetterInput, cn_date, record_context

# The agency's own rule (work_points_2019.txt 一(二)); law.md §5: the national 80号 wording was not read.
WORK_POINTS = "《贵州省司法厅2019年政务公开工作要点》第一部分第（二）项"

# -- vocabulary: the words printed for each stored code ------------------------------------------------
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
# For each approval rule that can fail: (what is missing, what to resubmit).
MISSING = {
    "has_interpretation_plan": ("未同步报送政策解读方案",
                                "经本部门负责人审定的政策解读方案"),
    "has_interpretation_materials": ("未同步报送政策解读材料",
                                     "政策解读材料（文字解读材料及拟采用的其他解读形式的材料）"),
    "has_head_as_first_interpreter": ("本文件属于重大政策（含经省政府常务会议审议通过的文件），未明确由单位主要负责人"
                                      "履行“第一解读人”职责",
                                      "明确单位主要负责人为第一解读人的解读方案"),
    "has_major_policy_form": ("本文件属于重大政策，解读方案未安排新闻发布会、政策吹风会或负责人接受访谈等解读形式",
                              "安排新闻发布会、政策吹风会或负责人接受访谈等解读形式的解读方案"),
}


def title_of(data: dict) -> str:
    """The policy title in 书名号, unless the drafter already typed them."""
    title = data["policy_title"]
    return title if title.startswith("《") else f"《{title}》"


def number_of(data: dict) -> str:
    return data.get("document_number") or "文号待印发时编定"


def major_words(data: dict) -> str:
    if data.get("executive_meeting"):
        return "是（经省政府常务会议审议通过）"
    return "是" if data.get("major") else "否"


def interpreter_words(data: dict) -> str:
    # "谁起草、谁解读": without a named interpreter the drafting department interprets.
    name = data.get("interpreter") or f"{data['department']}（起草部门）"
    return name + ("（单位主要负责人，第一解读人）" if data.get("interpreter_is_head") else "")


def channel_words(data: dict) -> str:
    return "、".join([CHANNELS[c] for c in data.get("channels") or []] + list(data.get("other_channels") or []))


def forms_words(data: dict) -> str:
    return "、".join(FORMS[f] for f in data.get("forms") or [])


# -- 退文通知单 ---------------------------------------------------------------------------------------
def return_notice(inp: LetterInput) -> dict:
    data = inp.case["data"]
    returned = data["returns"][-1]
    missing = [MISSING[code] for code in returned["missing"]]
    days = inp.notes["interpretation_days"]
    resubmit = [what for _, what in missing] + ["上述事项补正后的发文申请（连同政策文件送审稿）"]
    return record_context(
        inp, title="退文通知单", addressee=data["department"],
        recital=f"你部门于{cn_date(data['submitted_on'])}报送的{title_of(data)}（{number_of(data)}）发文申请收悉。",
        paragraphs=[
            f"经审核，该发文申请予以退文。退文理由：{inp.params['reason']}",
            "存在的问题如下：",
        ],
        items=[what for what, _ in missing] + list(inp.params.get("items") or []),
        closing="特此通知。",
        basis=f"{WORK_POINTS}（对未按规定同步报送解读材料的发文申请，严格实行退文处理）",
        after_items=[
            "请补正后重新报送：" + "；".join(resubmit) + "。",
            "按照“谁起草、谁解读”的原则，政策文件与解读方案、解读材料应当同步组织、同步审签、同步部署、同时发布；"
            f"确有必要对解读材料进行完善的，最晚应在政策文件正式印发后的{days}个工作日内发布解读材料。",
        ])


# -- 政策解读发布备案表 -------------------------------------------------------------------------------
def interpretation_record(inp: LetterInput) -> dict:
    data = inp.case["data"]
    reading = inp.readings["interpretation"]
    issued = dt.date.fromisoformat(data["issued_on"])
    published = dt.date.fromisoformat(data["interpretation_published_on"])
    days = reading.limit
    same_day = issued == published
    met = reading.met()
    late_by = 0 if met else inp.calendar.working_days_between(reading.due_on, published)
    if same_day:
        timing = [f"政策文件与解读材料于{cn_date(published)}同日发布，符合同步发布的要求。"]
        held = "是（与政策文件同日发布）"
        due_words = f"与政策文件同日发布（最迟为印发后{days}个工作日内，即{cn_date(reading.due_on)}前）"
    else:
        timing = [f"政策文件于{cn_date(issued)}正式印发，因解读材料确需完善先行发布政策文件"
                  + (f"（理由：{data['refinement_reason']}）" if data.get("refinement_reason") else "") + "。"
                  f"按照规定，解读材料最晚应于印发后{days}个工作日内即{cn_date(reading.due_on)}前发布。"]
        if met:
            timing.append(f"解读材料于{cn_date(published)}发布，在规定期限内。")
            held = "是"
        else:
            timing.append(f"解读材料于{cn_date(published)}发布，超过规定期限{late_by}个工作日，属于逾期发布。"
                          + (f"逾期原因：{data['late_reason']}" if data.get("late_reason") else ""))
            held = f"否（逾期{late_by}个工作日）"
        due_words = f"{cn_date(reading.due_on)}（印发后{days}个工作日内）"
    if reading.provisional:
        timing.append("注：期限计算涉及尚未公布官方节假日安排的年份，为临时期限。")
    table = [
        ["政策文件名称", data["policy_title"]],
        ["文号", number_of(data)],
        ["起草部门", data["department"]],
        ["是否重大政策", major_words(data)],
        ["印发日期", cn_date(issued)],
        ["解读形式", forms_words(data)],
        ["解读人", interpreter_words(data)],
        ["发布渠道", channel_words(data)],
        ["解读发布日期", cn_date(published)],
        ["解读发布期限", due_words],
        ["是否按期发布", held],
    ]
    return record_context(
        inp, title="政策解读发布备案表", addressee=inp.agency["office"],
        recital=f"{data['department']}起草的{title_of(data)}（{number_of(data)}）及其解读材料已经发布，现备案如下。",
        paragraphs=timing, table_header=["项目", "内容"], table=table,
        basis=f"{WORK_POINTS}（谁起草、谁解读；政策文件与解读材料同步发布，最晚于印发后{days}个工作日内发布解读材料）",
        closing="特此备案。")


LETTERS = {
    "return_notice": LetterKind("return_notice", "退文通知单", "退文", "return_notice.docx", return_notice,
                                required=("basis", "items", "after_items"), variables=RECORD_VARIABLES),
    "interpretation_record": LetterKind("interpretation_record", "政策解读发布备案表", "解备",
                                        "interpretation_record.docx", interpretation_record, required=("basis", "table"), variables=RECORD_VARIABLES),
}
