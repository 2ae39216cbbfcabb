"""Errors the service layer raises besides the domain's own (workflow.errors): each names the problem."""
from __future__ import annotations

from workflow.errors import WorkflowError


class ConcurrentUpdate(WorkflowError):
    """Another request changed the case first (optimistic locking)."""

    code = "concurrent_update"


class NotFound(WorkflowError):
    """No such record in the actor's agency (other agencies' records are not found either)."""

    code = "not_found"


class OutOfScope(NotFound):
    """The record exists but is not the actor's to see: answered as not found (its existence is not
    revealed), and recorded for the auditor."""

    def __init__(self, message: str, *, case_id: int):
        super().__init__(message)
        self.case_id = case_id


class IdempotencyMismatch(WorkflowError):
    """An Idempotency-Key reused for a different request."""

    code = "idempotency_key_reused"
