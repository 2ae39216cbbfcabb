"""Requests racing on a real database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL): optimistic
locking lets exactly one of several identical transitions through; case references and letter numbers
stay distinct and consecutive; an Idempotency-Key makes a retry answer with the first result.

Each worker thread has its own app context, test client and therefore its own Flask-SQLAlchemy session
(the session is scoped to the app context). Two barriers make the race the worst case every run rather
than a matter of timing: one releases the threads together, and one holds each thread at its first write
statement until every thread has got there, so all of them have read the case and passed validation
before any of them writes."""
from __future__ import annotations

import re
import threading

import pytest
import sqlalchemy as sa

from app.models import Document, Event, IdempotencyRecord
from tests import factories as f
from tests.api.helpers import Api, counts, fire, register

THREADS = 8
WRITES = ("INSERT", "UPDATE", "DELETE")


class FirstWriteBarrier:
    """Holds each armed thread at its first INSERT/UPDATE/DELETE until all armed threads have got there."""

    def __init__(self, engine, parties: int):
        self.engine, self.barrier, self.local = engine, threading.Barrier(parties, timeout=60), threading.local()

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._hook)

    def arm(self):
        self.local.armed = True

    def release_if_never_written(self):
        # A thread that ends without writing would leave the others waiting: break the barrier instead.
        if getattr(self.local, "armed", False):
            self.barrier.abort()

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        if getattr(self.local, "armed", False) and statement.lstrip().upper().startswith(WRITES):
            self.local.armed = False
            self.barrier.wait()


def race(app, db, headers: dict, requests: list) -> list[tuple]:
    """Send each request (a function of a fresh Api) from its own thread; (status, body) per request, or
    ("exception", text) when the app raised (a 500 in production)."""
    results: list = [None] * len(requests)
    start = threading.Barrier(len(requests), timeout=60)
    with FirstWriteBarrier(db.engine, len(requests)) as first_write:
        def worker(i: int):
            api = Api(app)
            api.headers = dict(headers)
            first_write.arm()
            try:
                start.wait()
                response = requests[i](api)
                results[i] = (response.status_code, response.get_json())
            except Exception as exc:  # recorded, so the main thread reports it
                results[i] = ("exception", f"{type(exc).__name__}: {exc}")
            finally:
                first_write.release_if_never_written()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(requests))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a worker thread hung"
        # every thread reached its first write: the requests really overlapped
        assert not first_write.barrier.broken, results
    db.session.rollback()
    return results


def statuses(results) -> list:
    return sorted((r[0] for r in results), key=str)


@pytest.fixture
def handler(app):
    f.user("handler", role="handler")
    return Api(app, "handler")


@pytest.fixture
def approver(app):
    f.user("approver", role="approver")
    return Api(app, "approver")


def events_of(api: Api, case: dict) -> list[dict]:
    return api.get("api.list_events", case_id=case["id"]).get_json()["items"]


# -- one trigger, many requests --------------------------------------------------------------------
def test_of_eight_simultaneous_accepts_exactly_one_is_recorded(app, db, handler):
    case = register(handler)
    before = counts(db)
    results = race(app, db, handler.headers, [
        lambda api: api.post("api.fire_trigger", json={"trigger": "accept"}, case_id=case["id"])] * THREADS)
    assert [r[0] for r in results].count(201) == 1, results
    after = counts(db)
    assert after["events"] == before["events"] + 1 and after["documents"] == before["documents"]
    now = handler.get("api.get_case", case_id=case["id"]).get_json()
    assert (now["state"], now["version"]) == ("in_progress", case["version"] + 1)
    assert [e["trigger"] for e in events_of(handler, case)] == ["register", "accept"]


def test_the_losers_of_simultaneous_accepts_get_409(app, db, handler):
    # The version check fails at the flush: that must become 409 concurrent_update, not a 500.
    case = register(handler)
    results = race(app, db, handler.headers, [
        lambda api: api.post("api.fire_trigger", json={"trigger": "accept"}, case_id=case["id"])] * THREADS)
    assert statuses(results) == [201] + [409] * (THREADS - 1), results
    assert all(body["code"] == "concurrent_update" for status, body in results if status == 409)


@pytest.mark.parametrize("version_in", ["body", "If-Match"])
def test_of_eight_simultaneous_extensions_of_the_current_version_exactly_one_is_recorded(app, db, handler, approver,
                                                                                       version_in):
    case = register(handler)
    version = fire(handler, case, "accept")["case"]["version"]
    before = counts(db)
    if version_in == "body":
        request = {"json": {"trigger": "extend", "version": version, "data": {"days": 5, "reason": "材料较多"}}}
    else:
        request = {"json": {"trigger": "extend", "data": {"days": 5, "reason": "材料较多"}},
                   "headers": {"If-Match": f'"{version}"'}}
    results = race(app, db, approver.headers, [
        lambda api: api.request("POST", "api.fire_trigger", case_id=case["id"], **request)] * THREADS)
    assert [r[0] for r in results].count(201) == 1, results
    after = counts(db)
    # one event, one letter (延期答复告知书), one number: the extension was applied once, not eight times
    assert (after["events"], after["documents"]) == (before["events"] + 1, before["documents"] + 1)
    now = handler.get("api.get_case", case_id=case["id"]).get_json()
    assert now["version"] == version + 1
    # Received Fri Nov 20, due Dec 18; 5 WD more: Dec 21-25 -> 2026-12-25 (not 40 WD later)
    assert now["due_on"] == "2026-12-25"
    # a late request with the version it read is refused outright
    late = approver.post("api.fire_trigger", json=request["json"] | {"version": version}, case_id=case["id"])
    assert late.status_code == 409 and late.get_json()["code"] == "concurrent_update"


def test_of_two_different_triggers_at_once_only_one_applies(app, db, handler):
    case = register(handler)
    results = race(app, db, handler.headers, [
        lambda api, trigger=trigger: api.post("api.fire_trigger", json={"trigger": trigger}, case_id=case["id"])
        for trigger in ("accept", "withdraw")])
    assert statuses(results) == [201, 409], results
    winner = next(body for status, body in results if status == 201)
    now = handler.get("api.get_case", case_id=case["id"]).get_json()
    assert (now["state"], now["version"]) == (winner["case"]["state"], case["version"] + 1)
    events = events_of(handler, case)
    assert [e["trigger"] for e in events] == ["register", winner["event"]["trigger"]]
    assert [e["seq"] for e in events] == [1, 2]
    assert handler.get("api.list_events", case_id=case["id"]).get_json()["chain_verified"] is True


# -- numbers ---------------------------------------------------------------------------------------
def test_cases_registered_at_the_same_time_get_distinct_consecutive_references(app, db, handler):
    before = counts(db)
    results = race(app, db, handler.headers, [
        lambda api: api.post("api.create_case", json={"process": "disclosure_request",
                                                      "data": f.registration()})] * THREADS)
    assert statuses(results) == [201] * THREADS, results
    references = [body["case"]["reference"] for _, body in results]
    serials = sorted(int(re.fullmatch(r"黔司依申〔2026〕(\d+)号", ref).group(1)) for ref in references)
    assert serials == list(range(1, THREADS + 1))
    assert len({body["case"]["id"] for _, body in results}) == THREADS
    after = counts(db)
    assert (after["cases"], after["events"]) == (before["cases"] + THREADS, before["events"] + THREADS)
    openings = db.session.scalars(sa.select(Event).where(Event.trigger == "register")).all()
    assert sorted((e.case_id, e.seq) for e in openings) == sorted((body["case"]["id"], 1) for _, body in results)


def test_letters_issued_at_the_same_time_get_distinct_consecutive_numbers(app, db, handler):
    cases = [register(handler) for _ in range(6)]

    def correction(case):
        return lambda api: api.post("api.fire_trigger", case_id=case["id"], json={
            "trigger": "request_correction", "data": {"items": ["文件名称"]}})

    results = race(app, db, handler.headers, [correction(case) for case in cases])
    assert statuses(results) == [201] * len(cases), results
    numbers = [body["documents"][0]["number"] for _, body in results]
    serials = sorted(int(re.fullmatch(r"黔司补正〔2026〕(\d+)号", n).group(1)) for n in numbers)
    assert serials == list(range(1, len(cases) + 1))
    stored = db.session.execute(sa.select(Document.case_id, Document.number)).all()
    assert sorted(stored) == sorted((body["case"]["id"], body["documents"][0]["number"]) for _, body in results)


# -- Idempotency-Key -------------------------------------------------------------------------------
def test_a_registration_retried_with_its_idempotency_key_is_answered_with_the_first_result(app, db, handler):
    body = {"process": "disclosure_request", "data": f.registration()}
    key = {"Idempotency-Key": "registration-0001"}
    before = counts(db)
    first = handler.request("POST", "api.create_case", json=body, headers=key)
    again = handler.request("POST", "api.create_case", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.data == first.data
    after = counts(db)
    assert (after["cases"], after["events"], after["idempotency_records"]) == \
        (before["cases"] + 1, before["events"] + 1, before["idempotency_records"] + 1)

    changed = {"process": "disclosure_request", "data": f.registration(applicant_name="李四")}
    reused = handler.request("POST", "api.create_case", json=changed, headers=key)
    assert reused.status_code == 422 and reused.get_json()["code"] == "idempotency_key_reused"
    assert counts(db) == after

    # keys belong to their user: the same key from someone else is a different request
    f.user("registrar", role="registrar")
    other = Api(app, "registrar").request("POST", "api.create_case", json=body, headers=key)
    assert other.status_code == 201 and other.get_json()["case"]["id"] != first.get_json()["case"]["id"]


def test_a_transition_retried_with_its_idempotency_key_fires_nothing_even_after_the_case_moved_on(app, db, handler):
    case = register(handler)
    key = {"Idempotency-Key": "9b7e2c4a-correction"}
    request = {"trigger": "request_correction", "data": {"items": ["文件名称"]}}
    first = handler.request("POST", "api.fire_trigger", json=request, headers=key, case_id=case["id"])
    assert first.status_code == 201
    assert first.get_json()["documents"][0]["number"] == "黔司补正〔2026〕1号"
    after_first = counts(db)
    again = handler.request("POST", "api.fire_trigger", json=request, headers=key, case_id=case["id"])
    assert again.status_code == 201 and again.data == first.data
    assert counts(db) == after_first  # no second event, letter or letter number
    fire(handler, case, "withdraw")
    before = counts(db)
    late = handler.request("POST", "api.fire_trigger", json=request, headers=key, case_id=case["id"])
    assert late.status_code == 201 and late.data == first.data
    assert counts(db) == before
    assert [e["trigger"] for e in events_of(handler, case)] == ["register", "request_correction", "withdraw"]

    other = handler.request("POST", "api.fire_trigger", json={"trigger": "withdraw"}, headers=key, case_id=case["id"])
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_key_reused"
    assert counts(db) == before


def test_a_refused_request_retried_with_its_key_is_refused_again_even_once_it_could_pass(app, db, handler):
    """Refused in its state (409): the retry under the same key replays the refusal, though by then the case
    has moved to where the same step is allowed; a stale version's 409 and a refused role's 403 likewise."""
    case = register(handler)
    key = {"Idempotency-Key": "reply-while-awaiting-correction"}
    request = {"trigger": "propose_reply", "data": {"outcome": "disclosed", "reason": "disclose",
                                                    "provided": "考核结果", "obtain": "通过电子邮件发送"}}
    fire(handler, case, "request_correction", items=["文件名称"])  # awaiting the correction: no reply yet
    first = handler.request("POST", "api.fire_trigger", json=request, headers=key, case_id=case["id"])
    assert first.status_code == 409 and first.get_json()["code"] == "trigger_not_allowed"
    fire(handler, case, "receive_correction", summary="补充了文件名称")
    # Now the proposal would pass: the retry does not make it.
    before = counts(db)
    again = handler.request("POST", "api.fire_trigger", json=request, headers=key, case_id=case["id"])
    assert again.status_code == 409 and again.get_json() == first.get_json()
    assert counts(db) == before and [e["trigger"] for e in events_of(handler, case)][-1] == "receive_correction"

    stale = {"trigger": "withdraw", "version": 1}
    refused = handler.request("POST", "api.fire_trigger", json=stale, headers={"Idempotency-Key": "v1"},
                              case_id=case["id"])
    assert refused.status_code == 409 and refused.get_json()["code"] == "concurrent_update"
    assert handler.request("POST", "api.fire_trigger", json=stale, headers={"Idempotency-Key": "v1"},
                           case_id=case["id"]).get_json() == refused.get_json()
    # A different request under a used key is still refused as such, and not stored.
    reused = handler.request("POST", "api.fire_trigger", json={"trigger": "accept"}, headers=key,
                             case_id=case["id"])
    assert reused.status_code == 422 and reused.get_json()["code"] == "idempotency_key_reused"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 2


def test_a_registration_sent_twice_at_once_with_one_idempotency_key_is_recorded_once(app, db, handler):
    body = {"process": "disclosure_request", "data": f.registration()}
    before = counts(db)
    results = race(app, db, handler.headers, [
        lambda api: api.request("POST", "api.create_case", json=body, headers={"Idempotency-Key": "twice"})] * 2)
    assert statuses(results) == [201, 201], results
    assert results[0][1] == results[1][1]
    after = counts(db)
    assert (after["cases"], after["events"]) == (before["cases"] + 1, before["events"] + 1)
    assert dict(after["sequences"])["case:disclosure_request"] == 1  # the loser's number was rolled back


def test_a_transition_sent_twice_at_once_with_one_idempotency_key_is_recorded_once(app, db, handler):
    # The loser fails the version check at the flush; it must then replay the winner's stored response.
    case = register(handler)
    before = counts(db)
    results = race(app, db, handler.headers, [
        lambda api: api.request("POST", "api.fire_trigger", json={"trigger": "accept"},
                                headers={"Idempotency-Key": "twice"}, case_id=case["id"])] * 2)
    assert statuses(results) == [201, 201], results
    assert results[0][1] == results[1][1]
    assert counts(db)["events"] == before["events"] + 1
