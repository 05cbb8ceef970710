"""The console's navigation: each slice's console module adds its menu entries here (docs/console.md, "Slices").

An entry names a Flask endpoint and the roles that see it (empty = every logged-in user); the base template shows
the entries the logged-in user's role may use. Which role may *do* what is still decided by the use cases
(``domain.permissions``): a menu entry only saves a user from looking for a page they cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[str] = frozenset()  # empty: every logged-in user
    order: int = 100
    public: bool = False  # shown to everyone, logged in or not (SV-1)


_ITEMS: list[NavItem] = []


def add(label: str, endpoint: str, roles: tuple[str, ...] = (), order: int = 100, public: bool = False) -> None:
    """Add a menu entry (again with the same endpoint replaces it: a module imported twice adds nothing)."""
    _ITEMS[:] = [item for item in _ITEMS if item.endpoint != endpoint]
    _ITEMS.append(NavItem(label, endpoint, frozenset(roles), order, public))
    _ITEMS.sort(key=lambda item: item.order)


def for_roles(roles: frozenset[str] | set[str] | None) -> list[NavItem]:
    """The entries a user with ``roles`` sees (None: a visitor, who sees the public ones), in menu order."""
    if roles is None:
        return [item for item in _ITEMS if item.public]
    return [item for item in _ITEMS if item.public or not item.roles or item.roles & set(roles)]


add("待办任务", "console.home", order=10)
add("耗材目录查询", "console_public.catalog", order=900, public=True)
