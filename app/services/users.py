"""Users and bearer tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from workflow.engine import ROLES
from workflow.errors import InvalidData

from ..extensions import db
from ..models import ApiToken, User
from . import timesource


def create_user(username: str, *, role: str, password: str, department: str = "", agency_code: str | None = None,
                display_name: str = "") -> User:
    errors = {}
    if role not in ROLES:
        errors["role"] = [f"角色应为：{', '.join(ROLES)}"]
    if not username or len(username) > 80:
        errors["username"] = ["用户名应为 1 到 80 个字符"]
    elif db.session.scalar(sa.select(User.id).where(User.username == username)):
        errors["username"] = ["用户名已存在"]
    if len(password) < 8:
        errors["password"] = ["密码至少 8 个字符"]
    agency_code = agency_code or current_app.config["DEFAULT_AGENCY"]
    if agency_code not in current_app.config["AGENCIES"]:
        errors["agency"] = [f"未配置的机关：{agency_code}"]
    if errors:
        raise InvalidData("用户信息有误", errors)
    user = User(username=username, role=role, department=department, agency_code=agency_code,
                display_name=display_name or username, created_at=timesource.now())
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def issue_token(username: str, password: str) -> str | None:
    """A new bearer token for valid credentials, else None."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        return None
    token = secrets.token_urlsafe(32)
    now = timesource.now()
    db.session.add(ApiToken(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id, created_at=now,
                            expires_at=now + dt.timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(sa.select(ApiToken).options(joinedload(ApiToken.user)).where(
        ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest()))
    if row is None or row.expires_at <= timesource.now() or not row.user.active:
        return None
    return row.user


def find_user(username: str, *, agency_code: str, field: str) -> User:
    """A user of the agency by username; an unknown name is reported under the request field that gave it."""
    user = db.session.scalar(sa.select(User).where(User.username == username, User.agency_code == agency_code))
    if user is None:
        raise InvalidData("提交的数据有误", {field: [f"用户 {username} 不存在"]})
    return user


def list_users(*, agency_code: str) -> list[User]:
    """The agency's users, active first, by username."""
    return list(db.session.scalars(sa.select(User).where(User.agency_code == agency_code)
                                   .order_by(User.active.desc(), User.username)))


def departments(*, agency_code: str) -> list[str]:
    """The departments the agency's active users belong to, for choosing who handles a case."""
    return list(db.session.scalars(sa.select(User.department).distinct()
                                   .where(User.agency_code == agency_code, User.active, User.department != "")
                                   .order_by(User.department)))
