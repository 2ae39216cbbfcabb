"""One case of each other process registered through its generated form and moved one step on its case
page, by a handler of 办公室: a policy interpretation submitted, an enforcement decision published (its
decision number completed when publishing) with its publication record, a government-affairs opinion
assessed. axe checks each registration form and each case page with every trigger form open."""
from __future__ import annotations

from playwright.sync_api import expect

from .pages import check_axe, fill, fire, open_all_details, sign_in, state_of, submit

REGISTRATIONS = {
    "policy_interpretation": ("政策解读", {
        "policy_title": "贵州省司法厅关于进一步规范律师执业行为的若干措施",
        "department": "办公室",
        "major": "否",
        "materials_attached": "是",
        "interpreter": "王承办",
        "forms": ["文字解读材料", "政策简明问答"],
        "channels": ["门户网站“政策解读”专栏"],
    }, "起草中"),
    "enforcement_disclosure": ("行政执法公示", {
        "decision_date": "2026-11-25",
        "decision_type": "行政处罚",
        "deciding_agency": "贵州省司法厅",
        "party_type": "法人",
        "party_name": "贵州某某律师事务所",
        "party_id_number": "91520000MA6DKQ1A0P",
        "category": "律师事务所管理",
        "conclusion": "警告",
    }, "待公示"),
    "opinion_response": ("政务舆情回应", {
        "title": "网传某律师事务所违规收费",
        "summary": "某网络论坛发帖称某律师事务所违规收费，转发量较大",
        "source": "网络媒体",
        "detected_at": "2026-11-27T08:30",
        "department": "办公室",
    }, "已监测登记"),
}
# trigger, its form, the state after it, the letters the case then has
STEPS = {
    "policy_interpretation": ("submit", {"document_number": "黔司通〔2026〕8号", "plan_attached": "是"}, "已报送待审核", 0),
    "enforcement_disclosure": ("publish", {"decision_number": "黔司罚决〔2026〕12号", "channel": "门户网站执法公示专栏"},
                               "已公示", 1),
    "opinion_response": ("assess", {"severity": "其他政务舆情", "assessment": "属一般舆情，48 小时内回应"}, "已研判", 0),
}


def test_one_case_of_each_other_process(live, staff, page):
    live.on("2026-11-27")  # a Friday
    sign_in(page, staff.handler)
    for process, (title, data, registered) in REGISTRATIONS.items():
        page.goto("/cases/new")
        page.get_by_role("link", name=f"登记{title}").click()
        expect(page.locator("h1")).to_have_text(f"登记{title}")
        check_axe(page, f"registration form of {process}")
        form = page.locator("main form")
        fill(form, data)
        submit(page, form)
        expect(page.locator(".alert-success")).to_contain_text("已登记：")
        assert state_of(page) == registered, process
        if process == "policy_interpretation":  # lists of choices shown by their titles
            expect(page.locator("section[aria-labelledby=data-h]")).to_contain_text("文字解读材料、政策简明问答")
        open_all_details(page)
        check_axe(page, f"case page of {process}")

        trigger, values, after, letters = STEPS[process]
        done = fire(page, trigger, values)
        assert state_of(page) == after, process
        expect(page.locator(".timeline li").first).to_contain_text(done)
        expect(page.locator("section[aria-labelledby=letters-h] tbody tr")).to_have_count(letters)
