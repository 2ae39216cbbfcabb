"""POST /tokens: exchange a username and password for a bearer token, failed attempts limited per client
address and per username (as on the sign-in page); DELETE /tokens/current: sign out, revoking the token."""
from flask import g, request

from app.limits import sign_in_limits
from app.services import audit_log
from app.services.credentials import sign_in_key
from app.services.users import issue_token, revoke_token

from . import bp
from .errors import ApiError, attempt, fails_with
from .schemas import TokenRequestSchema, TokenSchema


def _username_key() -> str:
    body = request.get_json(silent=True)
    name = body.get("username") if isinstance(body, dict) else None
    return sign_in_key(name if isinstance(name, str) else "")


def _failed(response) -> bool:
    """Only a refused attempt counts toward the limits (not a success, nor an answer without a database)."""
    return response.status_code not in (201, 503)


@bp.post("/tokens")
@sign_in_limits(_username_key, failed=_failed)
@bp.doc(tags=["auth"], summary="获取访问令牌", security=[],
        description="失败的尝试按客户端地址和用户名分别限次（默认每 10 分钟 20 次和 5 次），超过时答复 429 和 Retry-After。")
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema, description="访问令牌")
@fails_with(400, 401, 413, 422, 429)
def create_token(body):
    """Obtain a bearer token."""
    issued = issue_token(body["username"], body["password"])
    if issued is None:
        raise ApiError(401, "invalid_credentials", "用户名或密码错误")  # recorded as a failed sign-in
    token, user = issued
    audit_log.record(audit_log.SIGN_IN, attempt(), user=user)
    return {"token": token, "token_type": "Bearer"}


@bp.delete("/tokens/current")
@bp.doc(tags=["auth"], summary="注销当前访问令牌（退出登录）")
@bp.response(204, description="令牌已注销，此后以它访问均答复 401")
@fails_with(401)
def revoke_current_token():
    """Sign out: the token presented stops working at once."""
    revoke_token(g.token)
    audit_log.record(audit_log.SIGN_OUT, attempt(), user=g.user)
