"""Users and bearer tokens; an administrator's changes to a user (role, department, deactivation, a new
password), each logged at INFO with who made it."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import unicodedata

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from workflow.engine import ADMIN, ROLE_TITLES, ROLES
from workflow.errors import InvalidData
from workflow.fields import unstorable

from ..extensions import db
from ..models import ApiToken, IdempotencyRecord, User, WebSession
from . import timesource
from .credentials import authenticate, normalized_username
from .errors import NotFound
from .sessions import DEACTIVATED

log = logging.getLogger(__name__)

PASSWORD_MIN, PASSWORD_MAX = 8, 200  # the sign-in form accepts at most 200 characters
NAME_MAX = 100  # display name and department (the columns' length)
PASSWORD_RESET = "password_reset"  # why a session ended: an administrator set a new password


def create_user(username: str, *, role: str, password: str, department: str = "", agency_code: str | None = None,
                display_name: str = "", email: str = "", actor: User | None = None) -> User:
    agency_code = agency_code or current_app.config["DEFAULT_AGENCY"]
    username = normalized_username(username)  # stored as it is compared: one spelling per name
    errors = check_new_user(username, role=role, password=password, department=department, agency_code=agency_code,
                            display_name=display_name, email=email)
    if errors:
        raise InvalidData("用户信息有误", errors)
    user = User(username=username, role=role, department=department.strip(), agency_code=agency_code,
                display_name=display_name.strip() or username, email=email.strip(), created_at=timesource.now())
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    if actor is not None:
        log.info("user %s created by %s: role %s, department %r", username, actor.username, role, user.department,
                 extra={"event": "user_created", "actor": actor.username, "user": username, "role": role,
                        "department": user.department})
    return user


def check_new_user(username: str, *, role: str, password: str, department: str = "", agency_code: str,
                   display_name: str = "", email: str = "") -> dict[str, list[str]]:
    """What is wrong with a new user's details, by field (empty when nothing is): a form reports every
    problem at once."""
    errors = _profile_errors(role=role, department=department, display_name=display_name, email=email)
    if not username or len(username) > 80:
        errors["username"] = ["用户名应为 1 到 80 个字符"]
    elif any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") for ch in username):
        errors["username"] = ["用户名不能包含空格、控制字符或不可见字符"]
    elif db.session.scalar(sa.select(User.id).where(sa.or_(
            User.username == normalized_username(username),
            sa.func.lower(User.username) == normalized_username(username)))):
        errors["username"] = ["用户名已存在（用户名不区分大小写和全角半角）"]
    if _password_errors(password):
        errors["password"] = _password_errors(password)
    if agency_code not in current_app.config["AGENCIES"]:
        errors["agency"] = [f"未配置的机关：{agency_code}"]
    return errors


def _profile_errors(*, role: str, department: str, display_name: str, email: str = "") -> dict[str, list[str]]:
    errors = {}
    if role not in ROLES:
        errors["role"] = [f"角色应为：{'、'.join(ROLE_TITLES[r] for r in ROLES)}（{', '.join(ROLES)}）"]
    if len(department.strip()) > NAME_MAX:
        errors["department"] = [f"部门最多 {NAME_MAX} 个字符"]
    if len(display_name.strip()) > NAME_MAX:
        errors["display_name"] = [f"姓名最多 {NAME_MAX} 个字符"]
    if problem := email_problem(email.strip()):  # last, as on the form
        errors["email"] = [problem]
    return errors


EMAIL_MAX = 200


def email_problem(email: str) -> str | None:
    """Why an e-mail address cannot be used for the reminders, or None (empty: no reminders)."""
    if not email:
        return None
    local, at, domain = email.rpartition("@")
    if len(email) > EMAIL_MAX:
        return f"电子邮箱最多 {EMAIL_MAX} 个字符"
    if (not at or not local or "." not in domain.strip(".") or unstorable(email)
            or any(ch.isspace() or ch in "<>,;\"" for ch in email)):
        return "电子邮箱格式有误，应如 zhangsan@sft.guizhou.gov.cn"
    return None


def _password_errors(password: str) -> list[str]:
    if problem := unstorable(password):  # such a password could never sign in (services.credentials)
        return ["密码" + problem]
    if len(password) < PASSWORD_MIN:
        return [f"密码至少 {PASSWORD_MIN} 个字符"]
    if len(password) > PASSWORD_MAX:
        return [f"密码最多 {PASSWORD_MAX} 个字符"]
    return []


def issue_token(username: str, password: str) -> tuple[str, User] | None:
    """A new bearer token and its user for valid credentials, else None."""
    user = authenticate(username, password)
    if user is None:
        return None
    token = secrets.token_urlsafe(32)
    now = timesource.now()
    db.session.add(ApiToken(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id, created_at=now,
                            expires_at=now + dt.timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])))
    db.session.commit()
    return token, user


def revoke_token(token: str) -> bool:
    """Sign a token out: it stops working at once. True when it existed."""
    revoked = db.session.execute(sa.delete(ApiToken).where(
        ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest())).rowcount
    db.session.commit()
    return bool(revoked)


def purge_expired() -> tuple[int, int]:
    """Delete the tokens that expired and the idempotency records older than IDEMPOTENCY_TTL_HOURS; the
    numbers deleted."""
    now = timesource.now()
    tokens = db.session.execute(sa.delete(ApiToken).where(ApiToken.expires_at <= now)).rowcount
    kept_since = now - dt.timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
    answers = db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.created_at < kept_since)).rowcount
    db.session.commit()
    log.info("purged %d expired token(s) and %d idempotency record(s)", tokens, answers,
             extra={"event": "purged", "tokens": tokens, "idempotency_records": answers})
    return tokens, answers


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(sa.select(ApiToken).options(joinedload(ApiToken.user)).where(
        ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest()))
    if row is None or row.expires_at <= timesource.now() or not row.user.active:
        return None
    return row.user


def find_user(username: str, *, agency_code: str, field: str) -> User:
    """A user of the agency by username; an unknown name is reported under the request field that gave it."""
    problem = unstorable(username)
    if problem:
        raise InvalidData("提交的数据有误", {field: [problem]})
    user = db.session.scalar(sa.select(User).where(User.username == username, User.agency_code == agency_code))
    if user is None:
        raise InvalidData("提交的数据有误", {field: [f"用户 {username} 不存在"]})
    return user


def list_users(*, agency_code: str) -> list[User]:
    """The agency's users, active first, by username."""
    return list(db.session.scalars(sa.select(User).where(User.agency_code == agency_code)
                                   .order_by(User.active.desc(), User.username)))


# -- administration ---------------------------------------------------------------------------------
def get_user(user_id: int, *, agency_code: str) -> User:
    """A user of the agency by id; another agency's users are not found either."""
    user = db.session.get(User, user_id)
    if user is None or user.agency_code != agency_code:
        raise NotFound(f"用户 {user_id} 不存在")
    return user


def departments(*, agency_code: str) -> list[str]:
    """The departments the agency's users belong to, for choosing one."""
    return list(db.session.scalars(sa.select(User.department).where(User.agency_code == agency_code,
                                                                    User.department != "")
                                   .distinct().order_by(User.department)))


def update_user(user: User, *, role: str, department: str, display_name: str, actor: User,
                email: str | None = None) -> User:
    """Change a user's role, department, display name and (given) e-mail address. An administrator cannot
    take away their own administrator role (someone must remain able to administer)."""
    errors = _profile_errors(role=role, department=department, display_name=display_name, email=email or "")
    if user.id == actor.id and user.role == ADMIN and role != ADMIN and "role" not in errors:
        errors["role"] = ["不能取消自己的系统管理员角色；请由另一位系统管理员更改"]
    if errors:
        raise InvalidData("用户信息有误", errors)
    before = (user.role, user.department, user.display_name)
    user.role, user.department = role, department.strip()
    user.display_name = display_name.strip() or user.username
    if email is not None:
        user.email = email.strip()
    db.session.commit()
    log.info("user %s changed by %s: role %s -> %s, department %r -> %r, display name %r -> %r", user.username,
             actor.username, before[0], user.role, before[1], user.department, before[2], user.display_name,
             extra={"event": "user_updated", "actor": actor.username, "user": user.username, "role": user.role,
                    "department": user.department})
    return user


def set_active(user: User, active: bool, *, actor: User) -> dict:
    """Deactivate or reactivate a user. Deactivating ends their signed-in sessions and revokes their API
    tokens at once; an administrator cannot deactivate themselves."""
    if not active and user.id == actor.id:
        raise InvalidData("不能停用自己的账号", {"active": ["不能停用自己的账号；请由另一位系统管理员停用"]})
    ended = revoked = 0
    if user.active != active:
        user.active = active
        if not active:
            ended, revoked = _end_sign_ins(user, DEACTIVATED)
        db.session.commit()
        log.info("user %s %s by %s (%d session(s) ended, %d token(s) revoked)", user.username,
                 "reactivated" if active else "deactivated", actor.username, ended, revoked,
                 extra={"event": "user_reactivated" if active else "user_deactivated", "actor": actor.username,
                        "user": user.username})
    return {"sessions_ended": ended, "tokens_revoked": revoked}


def reset_password(user: User, password: str, *, actor: User) -> dict:
    """Set a new password chosen by an administrator; the user's sessions and API tokens end, so whoever
    knew the old password is signed out."""
    errors = _password_errors(password)
    if errors:
        raise InvalidData("密码不符合要求", {"password": errors})
    user.set_password(password)
    ended, revoked = _end_sign_ins(user, PASSWORD_RESET)
    db.session.commit()
    log.info("password of %s reset by %s (%d session(s) ended, %d token(s) revoked)", user.username,
             actor.username, ended, revoked,
             extra={"event": "password_reset", "actor": actor.username, "user": user.username})
    return {"sessions_ended": ended, "tokens_revoked": revoked}


def _end_sign_ins(user: User, reason: str) -> tuple[int, int]:
    """End the user's open web sessions (with the reason) and delete their API tokens; not committed."""
    now = timesource.now()
    ended = db.session.execute(sa.update(WebSession).where(WebSession.user_id == user.id,
                                                           WebSession.ended_at.is_(None))
                               .values(ended_at=now, end_reason=reason)).rowcount
    revoked = db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount
    return ended, revoked
