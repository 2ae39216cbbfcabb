"""Errors the service layer raises besides the domain's own (workflow.errors): each names the problem."""
from __future__ import annotations

from workflow.errors import WorkflowError


class ConcurrentUpdate(WorkflowError):
    """Another request changed the case first (optimistic locking)."""

    code = "concurrent_update"


class NotFound(WorkflowError):
    """No such record in the actor's agency (other agencies' records are not found either)."""

    code = "not_found"


class IdempotencyMismatch(WorkflowError):
    """An Idempotency-Key reused for a different request."""

    code = "idempotency_key_reused"
