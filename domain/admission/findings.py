"""What a policy check reports: one finding per failed rule and field, all of them at once.

A finding carries two texts: ``message`` in Chinese, shown to the hospital officer or bureau officer who must act on
it, and ``detail`` in English, for logs, the API's problem+json ``detail`` and developers. ``rule`` is the POLICY.md ID,
``field`` the name of the input field (``service_items[1].code`` for an element of a list).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.errors import PolicyViolation


@dataclass(frozen=True)
class Finding:
    """One failed rule on one field (校验意见): rule ID, field, Chinese message, English detail."""

    rule: str
    field: str
    message: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        """The finding as plain JSON-ready data (task data, API bodies)."""
        return {"rule": self.rule, "field": self.field, "message": self.message, "detail": self.detail}


def rules_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    """The distinct rule IDs of ``findings``, in the order they first appear."""
    return tuple(dict.fromkeys(f.rule for f in findings))


def refuse(findings: Sequence[Finding], code: str = "policy_violation") -> None:
    """Raise one PolicyViolation naming the first finding's rule and field and carrying all of them; else return."""
    if not findings:
        return
    first = findings[0]
    detail = "; ".join(f"{f.rule} {f.field}: {f.detail}" for f in findings)
    raise PolicyViolation(detail, code=code, rule=first.rule, field=first.field,
                          extra={"findings": [f.to_dict() for f in findings]})
