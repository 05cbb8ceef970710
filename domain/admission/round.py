"""The yearly adjustment round (目录动态调整): its application window (DA-1), the aggregation of accepted applications
into candidates by catalog entry (DA-3), and the auto-inclusion fast path for an existing entry (DA-4).

Expert assignment and review are in ``experts``, the consolidated decision in ``decisions``, outcomes in ``outcomes``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from domain.codes import consumable_code
from domain.errors import InvalidInput, PolicyViolation


@dataclass(frozen=True)
class RoundWindow:
    """The application window (申报期) of one adjustment round; both days are inside it (DA-1)."""

    round_id: str
    opens_on: date
    closes_on: date

    def contains(self, day: date) -> bool:
        """True when ``day`` is inside the window (DA-1)."""
        return self.opens_on <= day <= self.closes_on


def check_window(window: RoundWindow, others: Sequence[RoundWindow] = ()) -> RoundWindow:
    """Refuse a window that closes before it opens or overlaps another round's window (DA-1, our reading)."""
    if window.closes_on < window.opens_on:
        raise InvalidInput(f"the window closes on {window.closes_on}, before it opens on {window.opens_on}",
                           field="closes_on", rule="DA-1")
    for other in others:
        if other.round_id != window.round_id and other.opens_on <= window.closes_on \
                and window.opens_on <= other.closes_on:
            raise PolicyViolation(f"the window overlaps round {other.round_id} ({other.opens_on}–{other.closes_on})",
                                  code="round_window_overlaps", field="opens_on", rule="DA-1")
    return window


def round_for(accepted_on: date, windows: Iterable[RoundWindow]) -> RoundWindow | None:
    """The round an application accepted on ``accepted_on`` joins (DA-1).

    The round whose window holds the date; outside every window, the next round to open after it; None when no
    such round exists yet (the application waits for one).
    """
    later = None
    for window in windows:
        if window.contains(accepted_on):
            return window
        if window.opens_on > accepted_on and (later is None or window.opens_on < later.opens_on):
            later = window
    return later


@dataclass(frozen=True)
class RoundApplication:
    """An application accepted into a round: who applied, for which product (27-character code)."""

    application_id: str
    hospital_id: str
    code: str

    @property
    def entry_code(self) -> str:
        """The 15-character catalog entry the product falls under (CM-1)."""
        return self.code[:15]


@dataclass(frozen=True)
class Candidate:
    """One candidate of the round (拟纳入范围): the applications for one 15-character entry (DA-3)."""

    entry_code: str
    applications: tuple[RoundApplication, ...]
    in_catalog: bool = False  # the entry exists already: inclusion adds products under it

    @property
    def hospital_ids(self) -> frozenset[str]:
        """The applying hospitals (an expert employed by one of them may not review, SV-3)."""
        return frozenset(a.hospital_id for a in self.applications)

    @property
    def product_codes(self) -> tuple[str, ...]:
        """The distinct 27-character product codes applied for, in order."""
        return tuple(sorted({a.code for a in self.applications}))


def aggregate(applications: Iterable[RoundApplication], catalog_codes: Collection[str] = ()) -> tuple[Candidate, ...]:
    """Group a round's accepted applications into candidates by entry, ordered by entry code, then product and id.

    DA-3; the same input in any order gives the same candidates. ``catalog_codes`` are the current catalog's entries.
    """
    ordered = sorted(applications, key=lambda a: (a.code, a.application_id))
    seen: set[str] = set()
    for app in ordered:
        consumable_code(app.code, field="code")
        if app.application_id in seen:
            raise InvalidInput(f"application {app.application_id} is listed twice", field="application_id",
                               rule="DA-3")
        seen.add(app.application_id)
    return tuple(
        Candidate(entry, tuple(group), entry in catalog_codes)
        for entry, group in groupby(ordered, key=lambda a: a.entry_code)
    )


def auto_inclusion_entry(code: str, catalog_codes: Collection[str]) -> str | None:
    """The existing catalog entry whose first 15 characters the product shares (DA-4 fast path), else None."""
    entry = consumable_code(code, field="code")[:15]
    return entry if entry in catalog_codes else None
