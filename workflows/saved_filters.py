"""Each user's saved filters of their task queue (the console's 保存筛选), kept with the user, not the session: they
survive logging out and in, and another user never sees them. A filter is only a name and a query string; using
it reads the query again through the same checks as any other."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from domain.actors import Actor
from domain.errors import InvalidInput
from storage.saved_filters import SavedFilters

from . import clock
from .context import Services

MAX_SAVED = 10
MAX_NAME = 30
MAX_QUERY = 500


@dataclass(frozen=True)
class SavedFilterView:
    name: str
    query: str


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("a saved filter needs a name", code="filter_name_blank", field="name")
    if len(name) > MAX_NAME or any(unicodedata.category(c) in ("Cc", "Cs", "Cf") for c in name):
        raise InvalidInput(f"a filter's name is at most {MAX_NAME} visible characters", code="filter_name_invalid",
                           field="name")
    return name


def list_filters(services: Services, actor: Actor) -> list[SavedFilterView]:
    """The caller's saved filters, oldest first."""
    with services.uow(read_only=True) as uow:
        return [SavedFilterView(f.name, f.query) for f in uow.repository(SavedFilters).of_user(actor.user_id)]


def save_filter(services: Services, actor: Actor, name: str, query: str) -> SavedFilterView:
    """Save the caller's filter ``name`` (replacing one of that name); at most ten per user."""
    name = _name(name)
    if len(query) > MAX_QUERY or any(unicodedata.category(c) in ("Cc", "Cs") for c in query):
        raise InvalidInput(f"a filter's query is at most {MAX_QUERY} characters", code="filter_query_invalid",
                           field="query")
    with services.uow() as uow:
        filters = uow.repository(SavedFilters)
        names = {f.name for f in filters.of_user(actor.user_id)}
        if name not in names and len(names) >= MAX_SAVED:
            raise InvalidInput(f"at most {MAX_SAVED} saved filters", code="too_many_filters", field="name")
        filters.put(actor.user_id, name, query, clock.now(services, uow))
        uow.commit()
    return SavedFilterView(name, query)


def delete_filter(services: Services, actor: Actor, name: str) -> None:
    """Forget the caller's filter ``name`` (nothing when there is none)."""
    with services.uow() as uow:
        uow.repository(SavedFilters).remove(actor.user_id, name.strip())
        uow.commit()
