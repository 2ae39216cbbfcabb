"""Administration pages (administrators only): users, agency settings and calendar years."""
from __future__ import annotations

from flask import g, render_template

from app.services.users import list_users
from workflow.errors import NotPermitted

from . import bp


def require_admin() -> None:
    if g.user.role != "admin":
        raise NotPermitted("此页面需要角色：系统管理员", roles=["admin"])


@bp.get("/admin/users")
def admin_users():
    require_admin()
    return render_template("admin/users.html", users=list_users(agency_code=g.user.agency_code))
