"""Who may do what in consumable admission: each line of the slice's permissions table, with its rule."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

import workflows.admission  # noqa: F401 - the slice adds its lines to the table
from domain.actors import SYSTEM, Actor
from domain.errors import Forbidden
from domain.identity import ROLES
from domain.permissions import can, can_in_process, require


def actor(role: str, org: str | None = "h1", user: str = "u1") -> Actor:
    return Actor(user, org, frozenset({role}), role)


@dataclass
class Application:
    hospital_id: str = "h1"
    expert_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Review:
    expert_id: str


@dataclass
class Instance:
    owner_org: str | None


@pytest.mark.parametrize(("action", "allowed"), [
    ("admission.application.create", {"hospital_officer", "system"}),
    ("admission.round.manage", {"bureau_officer", "admin", "system"}),
    ("admission.filing.answer", {"nhsa_officer", "admin", "system"}),
    ("admission.round.see_candidates", {"admin", "bureau_officer", "auditor", "nhsa_officer", "system"}),
])
def test_each_admission_action_allows_exactly_its_roles(action: str, allowed: set[str]) -> None:
    assert {role for role in (*ROLES, "system") if can(actor(role), action)} == allowed


def test_sv3_a_hospital_sees_and_changes_only_its_own_applications() -> None:
    mine, theirs = Application("h1"), Application("h2")
    officer = actor("hospital_officer", "h1")
    assert can(officer, "admission.application.see", mine) and can(officer, "admission.application.edit", mine)
    assert not can(officer, "admission.application.see", theirs)
    with pytest.raises(Forbidden) as refused:
        require(officer, "admission.application.edit", theirs)
    assert (refused.value.rule, refused.value.code) == ("SV-3", "not_your_application")
    assert not can(actor("physician", "h1"), "admission.application.see", mine)  # an officer's, not every role's


def test_sv3_an_expert_sees_only_the_applications_of_candidates_assigned_to_them() -> None:
    assigned = Application("h9", frozenset({"e1"}))
    assert can(actor("expert", "bureau", "e1"), "admission.application.see", assigned)
    assert not can(actor("expert", "bureau", "e2"), "admission.application.see", assigned)
    assert not can(actor("expert", "bureau", "e1"), "admission.application.edit", assigned)
    assert can(actor("auditor", "bureau"), "admission.application.see", assigned)


def test_sv3_a_review_is_seen_by_its_expert_and_the_oversight_roles_only() -> None:
    review = Review("e1")
    assert can(actor("expert", user="e1"), "admission.review.see", review)
    assert not can(actor("expert", user="e2"), "admission.review.see", review)
    assert not can(actor("hospital_officer"), "admission.review.see", review)
    assert can(actor("bureau_officer", "bureau"), "admission.review.see", review)


def test_sv3_a_rounds_data_is_the_bureaus_and_an_applications_its_hospitals() -> None:
    assert not can_in_process(actor("expert", "bureau"), "instance.read_data", "consumable_round", Instance("b"))
    assert can_in_process(actor("bureau_officer", "b"), "instance.read_data", "consumable_round", Instance("b"))
    assert can_in_process(actor("hospital_officer", "h1"), "instance.read_data", "consumable_application",
                          Instance("h1"))
    assert not can_in_process(actor("hospital_officer", "h2"), "instance.read_data", "consumable_application",
                              Instance("h1"))
    assert can_in_process(SYSTEM, "instance.read_data", "consumable_application", Instance("h1"))
