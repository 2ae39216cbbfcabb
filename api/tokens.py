"""POST /tokens: exchange a username and password for a bearer token."""
from app.services import audit_log
from app.services.users import issue_token

from . import bp
from .errors import ApiError, attempt, fails_with
from .schemas import TokenRequestSchema, TokenSchema


@bp.post("/tokens")
@bp.doc(tags=["auth"], summary="获取访问令牌", security=[])
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema, description="访问令牌")
@fails_with(400, 401, 413, 422)
def create_token(body):
    """Obtain a bearer token."""
    issued = issue_token(body["username"], body["password"])
    if issued is None:
        raise ApiError(401, "invalid_credentials", "用户名或密码错误")  # recorded as a failed sign-in
    token, user = issued
    audit_log.record(audit_log.SIGN_IN, attempt(), user=user)
    return {"token": token, "token_type": "Bearer"}
