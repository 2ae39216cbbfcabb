"""Sign-in through the API (issue 10.2): failed token requests limited per username and per client address
like the pages' sign-in, with the refusals recorded; signing out revokes a token at once; usernames compared
in one normal form so look-alike names cannot be created; expired tokens and old idempotency records purged."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import ApiToken, AuditRecord, IdempotencyRecord
from app.services import users
from tests import factories as f
from workflow.errors import InvalidData


def ask(client, username, password, address="10.0.0.1"):
    return client.post("/api/v1/tokens", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def handler(app, db):
    return f.user("handler", role="handler")


def test_failed_token_requests_are_limited_per_username_then_refused_with_429(app, handler):
    client = app.test_client()
    for n in range(5):
        assert ask(client, "handler", "wrong-password", f"10.0.0.{n}").status_code == 401
    locked = ask(client, "handler", f.PASSWORD, "10.0.0.99")  # the right password, from elsewhere: still locked
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert locked.get_json()["message"] == "该用户登录失败次数过多，请稍后再试"
    # The same name in another spelling is the same name; another user is not locked.
    assert ask(client, "ＨＡＮＤＬＥＲ", f.PASSWORD, "10.0.0.98").status_code == 429
    f.user("approver", role="approver")
    assert ask(client, "approver", f.PASSWORD, "10.0.0.97").status_code == 201
    kinds = _db.session.execute(sa.select(AuditRecord.kind, AuditRecord.status).order_by(AuditRecord.id)).all()
    assert kinds.count(("sign_in_failed", 401)) == 5 and ("refused", 429) in kinds


def test_failed_token_requests_are_limited_per_address_whatever_the_names(app, handler):
    client = app.test_client()
    for n in range(20):
        assert ask(client, f"nobody{n}", "wrong-password").status_code == 401
    assert ask(client, "handler", f.PASSWORD).status_code == 429
    assert ask(client, "handler", f.PASSWORD, "10.0.0.2").status_code == 201


def test_successful_token_requests_do_not_count(app, handler):
    client = app.test_client()
    for _ in range(25):
        assert ask(client, "handler", f.PASSWORD).status_code == 201


def test_signing_out_revokes_the_token_at_once(app, handler):
    client = app.test_client()
    token = ask(client, "handler", f.PASSWORD).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    out = client.delete("/api/v1/tokens/current", headers=headers)
    assert out.status_code == 204 and out.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/cases", headers=headers).status_code == 401
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 401
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
    kinds = _db.session.execute(sa.select(AuditRecord.kind, AuditRecord.status).order_by(AuditRecord.id)).all()
    assert kinds == [("sign_in", None), ("sign_out", None), ("refused", 401), ("refused", 401)]


def test_a_token_lives_the_configured_hours(app, handler, clock):
    app.config["TOKEN_TTL_HOURS"] = 2
    client = app.test_client()
    headers = {"Authorization": f"Bearer {ask(client, 'handler', f.PASSWORD).get_json()['token']}"}
    clock.advance(minutes=119)
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    clock.advance(minutes=1)
    assert client.get("/api/v1/cases", headers=headers).status_code == 401


@pytest.mark.parametrize("look_alike", ["HANDLER", "Handler", "ｈａｎｄｌｅｒ", "ＨＡＮＤＬＥＲ", " handler"])
def test_a_look_alike_of_an_existing_username_cannot_be_created(app, handler, look_alike):
    with pytest.raises(InvalidData) as refused:
        users.create_user(look_alike, role="handler", password=f.PASSWORD)
    assert refused.value.errors["username"][0].startswith("用户名")


@pytest.mark.parametrize("invisible", ["hand\u200bler", "hand\u00adler", "handler\u202e", "hand\x00ler"])
def test_a_username_with_an_invisible_character_is_refused(app, db, invisible):
    with pytest.raises(InvalidData) as refused:
        users.create_user(invisible, role="handler", password=f.PASSWORD)
    assert refused.value.errors["username"] == ["用户名不能包含空格、控制字符或不可见字符"]


def test_a_username_is_stored_in_its_normal_form_and_signs_in_in_any_spelling(app, db):
    user = users.create_user("Ｗａｎｇ.Li", role="handler", password=f.PASSWORD)
    assert user.username == "wang.li"
    for spelling in ("wang.li", "WANG.LI", "Ｗａｎｇ.Li"):
        assert ask(app.test_client(), spelling, f.PASSWORD).status_code == 201


def test_purge_deletes_expired_tokens_and_old_idempotency_records_only(app, handler, clock):
    client = app.test_client()
    old = ask(client, "handler", f.PASSWORD).get_json()["token"]
    _db.session.add(IdempotencyRecord(user_id=handler.id, key="k-old", fingerprint="0" * 64, status_code=201, body={},
                                      created_at=clock()))
    _db.session.commit()
    clock.advance(hours=9)  # the first token (8 hours) has expired
    app.config["TOKEN_TTL_HOURS"] = 24
    fresh = ask(client, "handler", f.PASSWORD).get_json()["token"]
    _db.session.add(IdempotencyRecord(user_id=handler.id, key="k-new", fingerprint="0" * 64, status_code=201, body={},
                                      created_at=clock()))
    _db.session.commit()
    clock.advance(hours=16)  # the first record is 25 hours old, the second 16
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0 and result.output.strip() == "1 expired token(s), 1 idempotency record(s) deleted"
    assert _db.session.scalars(sa.select(IdempotencyRecord.key)).all() == ["k-new"]
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {old}"}).status_code == 401


def test_a_password_with_a_control_character_cannot_be_set(app, db):
    with pytest.raises(InvalidData) as refused:
        users.create_user("wang", role="handler", password="long-enough\x00password")
    assert refused.value.errors["password"] == ["密码第 12 个字符是不可见的控制字符或无效字符（U+0000），请删除后重新提交"]
