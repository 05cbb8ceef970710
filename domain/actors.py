"""Who is acting: a user of an organization with roles, or the system itself (the timer worker)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain import permissions


@dataclass(frozen=True)
class Actor:
    """The caller of a use case; recorded in every audit entry."""

    user_id: str
    org_id: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    username: str = ""

    def has_role(self, *roles: str) -> bool:
        """True when the actor holds any of ``roles``."""
        return bool(self.roles.intersection(roles))

    @property
    def role(self) -> str:
        """The actor's one role (users have exactly one)."""
        return next(iter(sorted(self.roles)), "")

    @property
    def sees_all_organizations(self) -> bool:
        """Oversight roles and the system see every organization's instances and tasks (domain/permissions.py)."""
        return permissions.sees_all_organizations(self)


# The service itself: the timer worker, the command line, demo data.
SYSTEM = Actor("system", None, frozenset({"system"}), "system")
