from tests import factories as f


def test_registration_over_the_api_returns_the_case_with_its_reply_due_date(client):
    f.user("handler", role="handler")
    headers = f.token(client, "handler")
    response = client.post("/api/v1/cases", headers=headers,
                           json={"process": "disclosure_request", "data": f.registration()})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()["case"]
    # Received Fri 2026-11-20; 20 working days: Nov 23..27 (5), Nov 30..Dec 4 (10), Dec 7..11 (15), Dec 14..18 (20)
    assert case["due_on"] == "2026-12-18"
    assert case["reference"] == "黔司依申〔2026〕1号"
    assert case["state"] == "received"
    assert case["summary"] == "张三：2025年度全省律师事务所年度考核结果"  # the process's one-line description
