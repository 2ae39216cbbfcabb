"""The domain: processes as data, guards, statutory clocks and the working-day calendar.

Imports only the standard library, transitions, chinese_calendar and marshmallow; no Flask, no
SQLAlchemy (tests/test_architecture.py enforces it)."""
