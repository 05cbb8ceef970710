"""Who is calling. Authentication arrives with issue 4; every view already asks this module for its actor."""

from __future__ import annotations

from domain.actors import DEVELOPMENT_OPERATOR, Actor


def current_actor() -> Actor:
    """The caller of the current request (until login exists: the development operator)."""
    return DEVELOPMENT_OPERATOR
