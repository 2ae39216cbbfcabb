"""Sign-in and sign-out. The session lives on the server (app.services.sessions); Flask-Login keeps its key
in the signed cookie, Flask-WTF protects the form, Flask-Limiter counts failed attempts per address and per
username, so guessing is slow whichever one an attacker varies."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.limits import sign_in_limits
from app.services import audit_log, sessions
from app.services.credentials import sign_in_key

from . import bp, login_manager

login_manager.login_view = "web.sign_in"
login_manager.login_message = "请先登录"
login_manager.login_message_category = "warning"
login_manager.session_protection = "basic"


class Person(UserMixin):
    """Who is signed in: the session's key is the id Flask-Login keeps in the cookie."""

    def __init__(self, signed: sessions.SignedIn):
        self.key, self.user = signed.key, signed.user

    def get_id(self) -> str:
        return self.key


@login_manager.user_loader
def load_person(key: str) -> Person | None:
    signed = sessions.resume(key)
    return Person(signed) if signed else None


@bp.before_app_request
def expose_user():
    g.user = current_user.user if current_user.is_authenticated else None


class SignInForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=80)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


def _username_key() -> str:
    return sign_in_key(request.form.get("username") or "")


def _failed(response) -> bool:
    """Only a refused attempt counts toward the limits (a successful sign-in redirects)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits(_username_key, failed=_failed, methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = SignInForm()
    if form.validate_on_submit():
        signed = sessions.sign_in(form.username.data, form.password.data, address=request.remote_addr or "",
                                  user_agent=request.user_agent.string)
        if signed is not None:
            audit_log.record(audit_log.SIGN_IN, attempt(), user=signed.user)
            login_user(Person(signed))
            return redirect(_safe_next(request.args.get("next")))
        audit_log.record(audit_log.SIGN_IN_FAILED, attempt(), username=form.username.data, status=401,
                         code="invalid_credentials", message="用户名或密码不正确，或账号已停用")
        form.password.errors.append("用户名或密码不正确，或账号已停用")
        return render_template("sign_in.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("sign_in.html", form=form), status


def attempt() -> audit_log.Attempt:
    return audit_log.Attempt(channel="web", method=request.method, path=request.path,
                             address=request.remote_addr or "")


@bp.after_request
def record_refusal(response):
    """The auditor's record of a page's refusal (403, 409, 422, 429 ...; the sign-in page records its own):
    the view may say why in ``g.refusal``."""
    if response.status_code in audit_log.RECORDED_STATUSES and request.endpoint != "web.sign_in":
        why = g.pop("refusal", {})
        audit_log.record(audit_log.REFUSED, attempt(), user=g.get("user"), status=response.status_code,
                         code=why.get("code", ""), message=why.get("message", ""), case_id=why.get("case_id"),
                         trigger=why.get("trigger"))
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere (an open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.home")


@bp.post("/logout")
def sign_out():
    if current_user.is_authenticated:
        sessions.sign_out(current_user.key)
        audit_log.record(audit_log.SIGN_OUT, attempt(), user=current_user.user)
    logout_user()
    flash("已退出登录", "info")
    return redirect(url_for("web.sign_in"))
