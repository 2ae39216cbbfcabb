"""Bearer-token authentication for every API call except obtaining a token and the OpenAPI document."""
from __future__ import annotations

from flask import g, request

from app.services.users import user_for_token

from . import bp
from .errors import ApiError

PUBLIC = {"api.create_token", "api.openapi_document"}


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise ApiError(401, "unauthorized", "需要有效的访问令牌：Authorization: Bearer <token>")
    g.user, g.token = user, token.strip()
    return None


def require_role(*roles: str) -> None:
    if g.user.role not in roles:
        raise ApiError(403, "forbidden", f"此操作需要角色：{', '.join(roles)}")
