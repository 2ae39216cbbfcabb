"""Outgoing e-mail through the SMTP server of the configuration (MAIL_SERVER, MAIL_PORT, MAIL_STARTTLS,
MAIL_USERNAME, MAIL_PASSWORD, MAIL_FROM): one connection for a batch of messages."""
from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app


class MailNotConfigured(RuntimeError):
    """No SMTP server is configured (MAIL_SERVER)."""


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


@contextmanager
def connection() -> Iterator[smtplib.SMTP]:
    """An open, authenticated connection to the configured server, closed afterwards."""
    config = current_app.config
    if not configured():
        raise MailNotConfigured("未配置发信服务器（MAIL_SERVER），不能发送提醒邮件")
    smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30)
    try:
        if config.get("MAIL_STARTTLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        yield smtp
    finally:
        try:
            smtp.quit()
        except smtplib.SMTPException:
            smtp.close()


def message(to: list[str], subject: str, body: str) -> EmailMessage:
    """A plain-text message from the service's address (UTF-8: Chinese subject and body as typed)."""
    msg = EmailMessage()
    msg["From"] = formataddr((current_app.config.get("MAIL_SENDER_NAME") or "", current_app.config["MAIL_FROM"]))
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content(body)
    return msg
