"""The rate limiter (Flask-Limiter) and the limits on failed sign-ins: counted per client address and per
username, on the pages' sign-in and the API's tokens alike; in memory for the embedded default, in Redis when
RATELIMIT_STORAGE_URI names one (several workers must share the counts)."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def sign_in_limits(username_key: Callable[[], str], *, failed: Callable, methods: list[str] | None = None):
    """A sign-in view's two limits: SIGN_IN_LIMIT_PER_ADDRESS failures per client address, whatever the names
    tried, and SIGN_IN_LIMIT_PER_USER per username (``username_key`` reads it from the request), whatever the
    address. Only responses ``failed`` says are failures count; past a limit the view answers 429."""
    def decorate(view):
        view = limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_USER"], key_func=username_key,
                             methods=methods, deduct_when=failed,
                             error_message="该用户登录失败次数过多，请稍后再试")(view)
        return limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], methods=methods,
                             deduct_when=failed, error_message="登录失败次数过多，请稍后再试")(view)
    return decorate
