"""补录 with its scan (letters.md "Dates on letters"): the scan of a letter issued outside the service is kept
with the 补录 event, its kind read from its bytes, its SHA-256 written into the case's hash chain, and it
downloads exactly as uploaded. Only an approver uploads it, and only for a 补录 event."""
from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa

from app.models import Attachment
from tests import factories as f
from tests.api.helpers import Api, counts, register, url

PDF = b"%PDF-1.4\n% a scanned letter\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def staff(app):
    for role in ("handler", "approver"):
        f.user(role, role=role)
    return {role: Api(app, role) for role in ("handler", "approver")}


def backfilled_case(staff) -> dict:
    case = register(staff["handler"], arrived_on="2026-11-24")
    response = staff["approver"].post("api.fire_trigger", case_id=case["id"], json={
        "trigger": "request_correction", "effective_on": "2026-11-25", "data": {"items": ["请写明年份"]},
        "backfill": {"reason": "纸质告知书已当面送达", "letter_number": "黔司补正〔2026〕7号"}})
    assert response.status_code == 201, response.get_json()
    return case


def upload(api: Api, case: dict, seq: int, content: bytes, filename: str = "补正告知书扫描件.pdf"):
    with api.app.app_context():
        return api.client.post(url("api.attach_scan", case_id=case["id"], seq=seq), headers=api.headers,
                               data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def test_the_scan_of_a_letter_issued_outside_is_kept_with_its_backfill_event(staff):
    case = backfilled_case(staff)
    response = upload(staff["approver"], case, 2, PDF)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    digest = hashlib.sha256(PDF).hexdigest()
    assert (body["filename"], body["media_type"], body["size"], body["sha256"]) == (
        "补正告知书扫描件.pdf", "application/pdf", len(PDF), digest)
    events = staff["handler"].get("api.list_events", case_id=case["id"]).get_json()
    last = events["items"][-1]
    assert (last["trigger"], last["data"]) == ("scan_attached", {"for_seq": 2, "filename": "补正告知书扫描件.pdf",
                                                                 "media_type": "application/pdf", "sha256": digest})
    assert events["chain_verified"] is True
    download = staff["handler"].get("api.get_attachment_content", attachment_id=body["id"])
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-SHA256"] == digest and download.mimetype == "application/pdf"


@pytest.mark.parametrize("who, seq, content, status, field", [
    ("approver", 1, PDF, 422, "seq"),  # the registration is not a 补录 event
    ("approver", 2, b"just text, not a scan", 422, "file"),
    ("handler", 2, PDF, 403, None),
    ("approver", 9, PDF, 404, None),
])
def test_a_scan_is_refused_unless_an_approver_uploads_a_pdf_or_image_for_a_backfill_event(db, staff, who, seq, content,
                                                                                            status, field):
    case = backfilled_case(staff)
    before = counts(db)
    response = upload(staff[who], case, seq, content)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["errors"]
    assert counts(db) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
