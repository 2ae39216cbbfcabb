"""Configuration from the environment: Development (default), Testing and Production.

SQLite in the instance folder by default; ``DATABASE_URL`` switches to PostgreSQL. Production refuses to
start with the default secret or without DATABASE_URL. Agency settings (name, short name for letter
numbers, address, contact, reconsideration body, court, rule-set values) default to 贵州省司法厅 and can be
replaced or extended by a JSON file named in ``AGENCIES_FILE``.
"""
from __future__ import annotations

import json
import os

DEFAULT_SECRET = "dev-only-insecure-secret"

# The default agency ships without an address or telephone: a letter needs the agency's real contact
# details, which come from AGENCIES_FILE (docs/configuration.md); production refuses to start without them.
GZSFT = {
    "code": "gzsft",
    "name": "贵州省司法厅",
    "short_name": "黔司",
    "office": "贵州省司法厅政府信息公开工作机构（厅办公室）",
    "address": "",
    "postcode": "",
    "phone": "",
    # 行政复议法 (2023) Art. 28: an act of a local 司法行政部门 may be taken to the same-level government or
    # to the next-higher 司法行政部门; an ordinary department names its government and "行政复议法 第二十四条".
    "reconsideration": {"bodies": ["贵州省人民政府", "中华人民共和国司法部"], "article": "行政复议法 第二十八条"},
    "court": "有管辖权的人民法院",
    "fee_payment_method": "通过非税收入缴款渠道缴纳，缴款凭证信息随本通知另行提供",
    # "title": the agency's name is printed in the signature only; "red": 信函格式, its name in red over a
    # red double line at the top of the first page (GB/T 9704-2012 10.1).
    "letterhead": "title",
    # Rule-set overrides per process, e.g. {"disclosure_request": {"correction_days": 15}}.
    "rules": {},
}


# Demonstration contact details, so that development and the tests issue complete letters. Production
# refuses them.
DEMO_CONTACT = {"address": "贵州省贵阳市观山湖区", "postcode": "550081", "phone": "0851-00000000"}
DEMO_GZSFT = {**GZSFT, **DEMO_CONTACT}


def with_demo_contact(agencies: dict) -> dict:
    """The agencies, the built-in default given the demonstration contact details it lacks."""
    default = agencies[GZSFT["code"]]
    if default is GZSFT:
        return {**agencies, GZSFT["code"]: DEMO_GZSFT}
    return agencies


def database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load_agencies() -> dict:
    agencies = {GZSFT["code"]: GZSFT}
    path = os.environ.get("AGENCIES_FILE")
    if path:
        with open(path, encoding="utf-8") as fh:
            for agency in json.load(fh):
                agencies[agency["code"]] = {**GZSFT, "rules": {}, **agency}
    return agencies


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = database_url()  # None: SQLite in the instance folder (create_app)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    JSON_SORT_KEYS = False
    TIMEZONE = "Asia/Shanghai"
    AGENCIES = load_agencies()
    DEFAULT_AGENCY = os.environ.get("DEFAULT_AGENCY", "gzsft")
    TOKEN_TTL_HOURS = int(os.environ.get("TOKEN_TTL_HOURS", "8"))  # a working day
    # How long a response under an Idempotency-Key is kept for a retry (then purge-expired deletes it).
    IDEMPOTENCY_TTL_HOURS = int(os.environ.get("IDEMPOTENCY_TTL_HOURS", "24"))
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    DEMO_USERS = False
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # text, or json: one JSON object per line
    CLOCK = None  # a callable returning an aware UTC datetime; None: the system clock
    # A PDF copy of every letter: "auto" when LibreOffice (soffice) is on the PATH, "off" never.
    LETTER_PDF = os.environ.get("LETTER_PDF", "auto")
    # The caseworker pages: a session ends after this many minutes without a request (server-side).
    WEB_SESSION_IDLE_MINUTES = int(os.environ.get("WEB_SESSION_IDLE_MINUTES", "30"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form's token is valid for the signed-in session, however long it is open
    # Failed sign-ins allowed per client address and per username (Flask-Limiter's notation); the counts
    # live in memory unless RATELIMIT_STORAGE_URI names a shared store such as redis://127.0.0.1:6379.
    SIGN_IN_LIMIT_PER_ADDRESS = os.environ.get("SIGN_IN_LIMIT_PER_ADDRESS", "20 per 10 minutes")
    SIGN_IN_LIMIT_PER_USER = os.environ.get("SIGN_IN_LIMIT_PER_USER", "5 per 10 minutes")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Outgoing mail for the sweeper's reminders (flask sweep): none is sent while MAIL_SERVER is unset.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_STARTTLS = os.environ.get("MAIL_STARTTLS", "") in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "noreply@localhost")
    MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME", "政务公开办理服务")
    REMIND_WITHIN_WORKING_DAYS = int(os.environ.get("REMIND_WITHIN_WORKING_DAYS", "3"))
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")  # e.g. https://disclosure.example.gov.cn: links in e-mails
    # How many proxies in front (nginx: 1) set X-Forwarded-For and -Proto; 0 (the default): none is trusted.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The keys that make the history tamper-evident, kept outside the database (app/keys.py, docs/audit.md):
    # the event keys' JSON file and the checkpoint signing key (Ed25519, PEM). Default: the instance folder.
    EVENT_KEYS_FILE = os.environ.get("EVENT_KEYS_FILE")
    CHECKPOINT_KEY_FILE = os.environ.get("CHECKPOINT_KEY_FILE")
    EVENT_KEYS: dict | None = None  # the key file's content itself (the tests)
    CREATE_MISSING_KEYS = False  # development and the tests create missing key files; production refuses


class DevelopmentConfig(Config):
    DEMO_USERS = True
    CREATE_MISSING_KEYS = True
    AGENCIES = with_demo_contact(Config.AGENCIES)


class TestingConfig(Config):
    TESTING = True
    LETTER_PDF = "off"  # the tests of the PDF copies switch it on (about a second a conversion)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    AGENCIES = with_demo_contact(Config.AGENCIES)
    EVENT_KEYS = {"current": "test-1", "keys": {"test-1": "5e" * 32}}
    CREATE_MISSING_KEYS = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True  # behind TLS: the cookie never travels in clear
    @classmethod
    def check(cls, agencies: dict | None = None):
        if problem := weak_secret(cls.SECRET_KEY or ""):
            raise RuntimeError(f"ProductionConfig: set SECRET_KEY to a long random value: {problem}")
        if not cls.SQLALCHEMY_DATABASE_URI:
            raise RuntimeError("ProductionConfig: set DATABASE_URL (PostgreSQL)")
        workers = os.environ.get("WEB_CONCURRENCY", "1")
        several = not workers.isdigit() or int(workers) > 1
        if several and cls.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            raise RuntimeError(f"ProductionConfig: SQLite serves one worker process only (WEB_CONCURRENCY={workers}): "
                               "set DATABASE_URL to PostgreSQL for several workers")
        if several and cls.RATELIMIT_STORAGE_URI.startswith("memory"):
            raise RuntimeError(f"ProductionConfig: with several workers (WEB_CONCURRENCY={workers}) each would count "
                               "failed sign-ins apart, allowing as many more guesses: set RATELIMIT_STORAGE_URI to a "
                               "shared store, e.g. redis://127.0.0.1:6379")
        if not cls.EVENT_KEYS_FILE:
            raise RuntimeError("ProductionConfig: set EVENT_KEYS_FILE, the event keys kept outside the database "
                               "(docs/audit.md)")
        from pathlib import Path

        from app.keys import KeyProblem, read_event_keys
        try:
            read_event_keys(Path(cls.EVENT_KEYS_FILE))
        except KeyProblem as exc:
            raise RuntimeError(f"ProductionConfig: {exc}") from None
        # Every letter prints the agency's office, address and telephone (letters.md): none may be missing
        # or the demonstration's.
        incomplete = sorted(code for code, agency in (agencies or cls.AGENCIES).items()
                            if not all((agency.get(k) or "").strip() for k in ("office", "address", "phone"))
                            or agency.get("phone") == DEMO_CONTACT["phone"])
        if incomplete:
            raise RuntimeError(f"ProductionConfig: agencies {', '.join(incomplete)} lack real contact details "
                               "(office, address, phone): set them in AGENCIES_FILE (docs/configuration.md)")


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def from_environment():
    name = os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV={name!r} is not an environment of this service: use one of "
                           f"{', '.join(CONFIGS)} (docs/configuration.md)")
    return CONFIGS[name]


MIN_SECRET_LENGTH = 32
MIN_SECRET_CHARACTERS = 12  # different characters: "aaaa…" or "abab…" of any length is no secret


def weak_secret(secret: str) -> str | None:
    """Why a SECRET_KEY is too weak to sign the sessions and forms of a public service, or None."""
    if secret == DEFAULT_SECRET:
        return "the default secret is refused"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"it has {len(secret)} characters; at least {MIN_SECRET_LENGTH} are needed"
    if len(set(secret)) < MIN_SECRET_CHARACTERS:
        return (f"it repeats {len(set(secret))} different characters; a random one has many more "
                f"(python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    return None
