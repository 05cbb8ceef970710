"""The permissions table: who may do what to which object, each refusal naming its rule (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.actors import SYSTEM, Actor
from domain.errors import Conflict, Forbidden, PolicyViolation
from domain.identity import ROLES
from domain.permissions import (
    RULES,
    LaneScope,
    Rule,
    can,
    can_in_process,
    implied_org_kind,
    lane_scope,
    require,
    require_scopable_lanes,
    sees_all_organizations,
)

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def actor(role: str, org: str | None = "org-1", user: str = "u-1") -> Actor:
    return Actor(user, org, frozenset({role}), role)


@dataclass
class Task:
    lane_role: str
    org_scope: str | None = "org-1"
    candidate_user_id: str | None = None
    assignee_id: str | None = None


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("instance.cancel", {"admin"}),
        ("incident.handle", {"admin", "system"}),
        ("definition.deploy", {"admin", "system"}),
        ("directory.manage", {"admin", "system"}),
        ("clock.set", {"admin", "system"}),
        ("message.deliver", {"admin", "bureau_officer", "nhsa_officer", "system"}),
        ("reference_data.load", {"admin", "bureau_officer", "system"}),
        ("audit.read", {"auditor", "admin", "system"}),
        ("task.assign", {"admin", "bureau_officer"}),
        ("task.counts", {"admin", "bureau_officer"}),
        ("metrics.read", {"admin"}),
        ("instance.start", set(ROLES) - {"auditor"} | {"system"}),
    ],
)
def test_each_action_allows_exactly_its_roles(action: str, allowed: set[str]) -> None:
    assert {role for role in (*ROLES, "system") if can(actor(role), action)} == allowed


def test_a_refusal_is_forbidden_with_the_rules_id_and_code() -> None:
    with pytest.raises(Forbidden) as refused:
        require(actor("auditor"), "instance.start")
    assert (refused.value.code, refused.value.rule) == ("read_only_role", "ACC-1")
    with pytest.raises(Forbidden) as refused:
        require(actor("expert"), "audit.read", detail="not for experts")
    assert (refused.value.code, refused.value.rule, refused.value.detail) == ("audit_forbidden", "SV-2",
                                                                              "not for experts")
    require(actor("auditor"), "audit.read")  # allowed: returns quietly


def test_a_diagrams_start_roles_limit_who_starts_it_and_the_system_always_may() -> None:
    assert can(actor("hospital_officer"), "instance.start", ("hospital_officer",))
    assert not can(actor("pharmacist"), "instance.start", ("hospital_officer",))
    assert can(SYSTEM, "instance.start", ("hospital_officer",))
    assert can(actor("pharmacist"), "instance.start", None)  # no startRoles: any role but the auditor


def test_sv3_tasks_are_seen_by_their_queue_in_scope_by_oversight_and_by_the_person_offered_them() -> None:
    mine = Task("hospital_officer")
    assert can(actor("hospital_officer"), "task.see", mine)
    assert not can(actor("hospital_officer", org="org-2"), "task.see", mine)
    assert not can(actor("physician"), "task.see", mine)
    assert all(can(actor(role, org="bureau"), "task.see", mine) for role in ("admin", "bureau_officer", "auditor"))
    offered = Task("expert", org_scope=None, candidate_user_id="u-7")
    assert can(actor("expert", user="u-7"), "task.see", offered)
    assert not can(actor("expert", user="u-8"), "task.see", offered)  # SV-3: only their own candidates
    assert can(actor("physician", user="u-9"), "task.see", Task("hospital_officer", assignee_id="u-9"))


def test_sv3_a_task_is_worked_by_its_lanes_role_in_its_scope_or_by_the_person_offered_it() -> None:
    assert can(actor("hospital_officer"), "task.work", Task("hospital_officer"))
    assert not can(actor("hospital_officer", org="org-2"), "task.work", Task("hospital_officer"))
    assert not can(actor("admin"), "task.work", Task("hospital_officer"))  # oversight sees, does not work
    assert can(actor("expert", org="any"), "task.work", Task("expert", org_scope=None))
    offered = Task("expert", org_scope=None, candidate_user_id="u-7")
    assert [can(actor("expert", user=u), "task.work", offered) for u in ("u-7", "u-8")] == [True, False]
    with pytest.raises(Forbidden) as refused:
        require(actor("physician"), "task.work", Task("hospital_officer"))
    assert (refused.value.code, refused.value.rule) == ("not_your_task", "SV-3")


def test_a_task_is_released_by_its_assignee_or_the_bureau() -> None:
    claimed = Task("hospital_officer", assignee_id="u-1")
    assert can(actor("hospital_officer", user="u-1"), "task.release", claimed)
    assert not can(actor("hospital_officer", user="u-2"), "task.release", claimed)
    assert can(actor("bureau_officer", user="u-3"), "task.release", claimed)


def test_acc2_oversight_roles_and_the_system_see_every_organization() -> None:
    assert {r for r in (*ROLES, "system") if sees_all_organizations(actor(r))} == {
        "admin", "bureau_officer", "auditor", "system"}
    assert actor("admin").sees_all_organizations and not actor("physician").sees_all_organizations


@pytest.mark.parametrize(
    ("lane", "scope"),
    [
        ("hospital_officer", LaneScope("hospital", owner=True)),
        ("physician", LaneScope("hospital", owner=True)),
        ("pharmacist", LaneScope("pharmacy", owner=True)),
        ("bureau_officer", LaneScope("bureau", owner=False)),
        ("admin", LaneScope("bureau", owner=False)),
        ("nhsa_officer", LaneScope("nhsa", owner=False)),
        ("expert", LaneScope(None, owner=False)),
    ],
)
def test_a_lanes_tasks_belong_to_the_owner_a_fixed_organization_or_none(lane: str, scope: LaneScope) -> None:
    assert lane_scope(lane) == scope


def test_acc15_a_start_is_refused_when_the_starters_organization_cannot_work_an_owner_lane() -> None:
    require_scopable_lanes(["hospital_officer", "bureau_officer", None], "hospital")
    require_scopable_lanes(["bureau_officer", "expert", "nhsa_officer"], None)
    for lanes, kind, named in [(["bureau_officer", "hospital_officer"], "bureau", "hospital_officer"),
                               (["pharmacist"], "hospital", "pharmacist"),
                               (["physician"], None, "physician")]:
        with pytest.raises(Conflict) as refused:
            require_scopable_lanes(lanes, kind)
        assert (refused.value.code, refused.value.rule, refused.value.extra) == (
            "lane_unscopable", "ACC-15", {"lane": named})


def test_a_process_narrows_a_generic_action_with_its_own_rule() -> None:
    reader = actor("hospital_officer")
    assert can_in_process(reader, "instance.read_data", "probe_process")
    RULES["probe_process.read_data"] = (Rule("TEST-1", lambda a, _o: a.has_role("admin"), "data_hidden", "no"),)
    try:
        assert not can_in_process(reader, "instance.read_data", "probe_process")
        assert can_in_process(actor("admin"), "instance.read_data", "probe_process")
        assert can_in_process(reader, "instance.read_data", "another_process")
    finally:
        del RULES["probe_process.read_data"]


def test_a_starters_role_implies_their_organizations_kind_except_for_experts() -> None:
    assert [implied_org_kind(actor(r)) for r in ("admin", "physician", "pharmacist", "nhsa_officer", "expert")] == [
        "bureau", "hospital", "pharmacy", "nhsa", None]
    assert implied_org_kind(actor("hospital_officer", org=None)) is None  # no organization: nothing to scope with
    assert implied_org_kind(SYSTEM) is None


def test_a_policy_violation_always_names_its_rule() -> None:
    refused = PolicyViolation("one active registration per patient and drug", rule="ND-3", field="drug")
    assert (refused.rule, refused.code, refused.field) == ("ND-3", "policy_violation", "drug")
    with pytest.raises(TypeError):
        PolicyViolation("no rule")  # type: ignore[call-arg]


def test_every_action_and_rule_of_the_table_is_documented() -> None:
    rows = [line for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    missing = [f"{action} {rule.rule_id}" for action, rules in RULES.items() for rule in rules
               if not any(row.startswith(f"| `{action}` |") and f"{rule.rule_id} " in row for row in rows)]
    assert not missing, f"docs/architecture.md does not list: {missing}"
