"""The one exception tree of Yibao Flow; every error carries a stable snake_case code."""

from __future__ import annotations

from typing import Any


class YibaoError(Exception):
    """Base of every error the service reports to a caller."""

    code = "yibao_error"
    title = "Request failed"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        field: str | None = None,
        rule: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.field = field
        self.rule = rule
        self.extra = dict(extra or {})


class InvalidInput(YibaoError):
    """A value has the wrong shape or format."""

    code = "invalid_input"
    title = "Invalid input"


class NotFound(YibaoError):
    """The object does not exist, or the caller may not know that it does."""

    code = "not_found"
    title = "Not found"


class Conflict(YibaoError):
    """The request collides with the current state (a concurrent change, a duplicate)."""

    code = "conflict"
    title = "Conflict"


class Forbidden(YibaoError):
    """The caller is known but may not do this."""

    code = "forbidden"
    title = "Forbidden"


class Unauthenticated(YibaoError):
    """No valid credentials were presented."""

    code = "unauthenticated"
    title = "Authentication required"


class PolicyViolation(YibaoError):
    """A policy rule of POLICY.md refuses the request; ``rule`` names it (``PolicyViolation("...", rule="ND-3")``)."""

    code = "policy_violation"
    title = "Refused by policy"

    def __init__(
        self, detail: str, *, rule: str, code: str | None = None, field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, code=code, field=field, rule=rule, extra=extra)
        self.rule: str = rule


class DiagramRejected(YibaoError):
    """A BPMN diagram cannot be deployed; ``element_id`` names the offending element."""

    code = "diagram_rejected"
    title = "Diagram rejected"

    def __init__(self, detail: str, *, element_id: str | None = None, code: str | None = None) -> None:
        super().__init__(detail, code=code, extra={"element_id": element_id} if element_id else None)
        self.element_id = element_id


class Unavailable(YibaoError):
    """A dependency (the database) does not answer."""

    code = "unavailable"
    title = "Service unavailable"


class LoginThrottled(YibaoError):
    """Too many failed logins from this client address; ``extra["retry_after"]`` says how many seconds to wait."""

    code = "login_throttled"
    title = "Too many failed logins"
