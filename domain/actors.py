"""Who is acting: a user of an organization with roles, or the system itself (the timer worker)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """The caller of a use case; recorded in every audit entry."""

    user_id: str
    org_id: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, *roles: str) -> bool:
        """True when the actor holds any of ``roles``."""
        return bool(self.roles.intersection(roles))


SYSTEM = Actor("system", None, frozenset({"system"}))
# Until authentication lands (issue 4), every API caller acts as this development operator.
DEVELOPMENT_OPERATOR = Actor("dev-operator", None, frozenset({"admin"}))
