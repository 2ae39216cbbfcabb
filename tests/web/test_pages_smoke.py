from tests import factories


def test_walk(app, staff, as_user):
    b = as_user("registrar")
    r = b.get("/")
    assert r.status_code == 200, r.get_data(as_text=True)
    r = b.get("/cases/new/disclosure_request")
    assert r.status_code == 200
    case = factories.open_case(staff.registrar)
    r = b.get(f"/cases/{case.id}")
    assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
    r = b.get("/cases?open=yes")
    assert r.status_code == 200
    with open("/tmp/case.html", "w") as fh:
        fh.write(b.get(f"/cases/{case.id}").get_data(as_text=True))
