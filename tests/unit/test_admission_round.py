"""The adjustment round: application window (DA-1), aggregation into candidates (DA-3), auto-inclusion (DA-4)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from domain.admission.round import (
    RoundApplication,
    RoundWindow,
    aggregate,
    auto_inclusion_entry,
    check_window,
    round_for,
)
from domain.errors import InvalidInput, PolicyViolation

R2026 = RoundWindow("r2026", date(2026, 9, 1), date(2026, 9, 30))
R2027 = RoundWindow("r2027", date(2027, 9, 1), date(2027, 9, 30))
STENT = "C01010100101001"
MESH = "C12020300200002"


@pytest.mark.parametrize(("day", "inside"), [(date(2026, 8, 31), False), (date(2026, 9, 1), True),
                                             (date(2026, 9, 30), True), (date(2026, 10, 1), False)])
def test_da1_both_ends_of_the_window_are_inside_it(day: date, inside: bool) -> None:
    assert R2026.contains(day) is inside


@pytest.mark.parametrize(
    ("accepted_on", "expected"),
    [
        (date(2026, 9, 15), R2026),  # inside the window: joins that round
        (date(2026, 3, 1), R2026),  # before it: waits for it
        (date(2026, 10, 1), R2027),  # after it closed: waits for the next round
        (date(2027, 10, 1), None),  # no round opens later yet: waits for one to be opened
    ],
)
def test_da1_an_application_accepted_outside_a_window_waits_for_the_next_round(accepted_on: date,
                                                                                expected: RoundWindow | None) -> None:
    assert round_for(accepted_on, [R2027, R2026]) == expected


def test_da1_a_window_that_closes_before_it_opens_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        check_window(RoundWindow("r", date(2026, 9, 30), date(2026, 9, 1)))
    assert (err.value.rule, err.value.field) == ("DA-1", "closes_on")


def test_da1_overlapping_windows_are_refused_but_a_round_may_be_rechecked_against_itself() -> None:
    overlapping = RoundWindow("late", date(2026, 9, 30), date(2026, 10, 31))
    with pytest.raises(PolicyViolation) as err:
        check_window(overlapping, [R2026, R2027])
    assert err.value.rule == "DA-1"
    assert check_window(R2026, [R2026, R2027]) == R2026
    assert check_window(RoundWindow("next", date(2026, 10, 1), date(2026, 10, 31)), [R2026]).round_id == "next"


def apps() -> list[RoundApplication]:
    return [
        RoundApplication("a3", "h2", STENT + "039410000050"),
        RoundApplication("a1", "h1", STENT + "039410000049"),
        RoundApplication("a2", "h2", MESH + "001230000001"),
        RoundApplication("a4", "h3", STENT + "039410000049"),
    ]


def test_da3_applications_for_the_same_15_character_entry_become_one_candidate() -> None:
    candidates = aggregate(apps(), catalog_codes={MESH})
    assert [c.entry_code for c in candidates] == [STENT, MESH]
    stent, mesh = candidates
    assert [a.application_id for a in stent.applications] == ["a1", "a4", "a3"]
    assert stent.hospital_ids == {"h1", "h2", "h3"}
    assert stent.product_codes == (STENT + "039410000049", STENT + "039410000050")
    assert (stent.in_catalog, mesh.in_catalog) == (False, True)


def test_da3_aggregation_is_deterministic_whatever_the_input_order() -> None:
    expected = aggregate(apps())
    for seed in range(20):
        shuffled = apps()
        random.Random(seed).shuffle(shuffled)
        assert aggregate(shuffled) == expected


def test_da3_an_application_listed_twice_or_with_a_malformed_code_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        aggregate([*apps(), apps()[0]])
    assert err.value.rule == "DA-3"
    with pytest.raises(InvalidInput):
        aggregate([RoundApplication("a9", "h1", STENT)])


def test_da3_an_empty_round_has_no_candidates() -> None:
    assert aggregate([]) == ()


def test_da4_a_product_whose_prefix_is_a_catalog_entry_takes_the_fast_path() -> None:
    assert auto_inclusion_entry(STENT + "039410000049", {STENT, MESH}) == STENT
    assert auto_inclusion_entry(STENT + "039410000049", {MESH}) is None
    with pytest.raises(InvalidInput):
        auto_inclusion_entry(STENT, {STENT})
