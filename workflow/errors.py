"""Domain errors: each names the problem in domain terms and carries what a caller needs to explain it."""


class WorkflowError(Exception):
    """Base of every error the workflow raises."""

    code = "workflow_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class UnknownProcess(WorkflowError):
    code = "unknown_process"


class UnknownTrigger(WorkflowError):
    code = "unknown_trigger"


class TriggerNotAllowed(WorkflowError):
    """The trigger is not allowed from the case's current state (a conflict)."""

    code = "trigger_not_allowed"


class NotPermitted(WorkflowError):
    """The actor's role may not fire this trigger."""

    code = "not_permitted"


class InvalidData(WorkflowError):
    """Submitted data failed validation; ``errors`` maps field names to messages."""

    code = "invalid_data"

    def __init__(self, message: str, errors: dict):
        super().__init__(message, errors=errors)
        self.errors = errors


class GuardFailed(WorkflowError):
    """The trigger is allowed from this state but a rule forbids it now."""

    code = "guard_failed"

    def __init__(self, failures: list):
        self.failures = failures
        text = "；".join(f"{f.message}（依据：{f.basis}）" for f in failures)
        super().__init__(text, guards=[f.to_dict() for f in failures])


class LetterIncomplete(WorkflowError):
    """A letter lacks a required element, so it is not issued."""

    code = "letter_incomplete"
