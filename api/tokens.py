"""POST /tokens: exchange a username and password for a bearer token."""
from flask import jsonify

from app.services.users import issue_token

from . import bp
from .errors import ApiError
from .schemas import TokenRequestSchema, load_json


@bp.post("/tokens")
def create_token():
    """Obtain a bearer token.
    ---
    post:
      tags: [auth]
      security: []
      requestBody: {content: {application/json: {schema: TokenRequest}}}
      responses: {201: {description: token}, 401: {description: bad credentials}}
    """
    body = load_json(TokenRequestSchema)
    token = issue_token(body["username"], body["password"])
    if token is None:
        raise ApiError(401, "invalid_credentials", "用户名或密码错误")
    return jsonify({"token": token, "token_type": "Bearer"}), 201
