"""POST /tokens: exchange a username and password for a bearer token."""
from app.services.users import issue_token

from . import bp
from .errors import ApiError, fails_with
from .schemas import TokenRequestSchema, TokenSchema


@bp.post("/tokens")
@bp.doc(tags=["auth"], summary="获取访问令牌", security=[])
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema, description="访问令牌")
@fails_with(400, 401, 413, 422)
def create_token(body):
    """Obtain a bearer token."""
    token = issue_token(body["username"], body["password"])
    if token is None:
        raise ApiError(401, "invalid_credentials", "用户名或密码错误")
    return {"token": token, "token_type": "Bearer"}
