"""Who may do what to which object: one table of actions, each with the rule ID it serves.

Use cases ask ``require(actor, "task.assign")`` or ``can(actor, "task.see", task)``; storage builds the SQL form of
the visibility rules from the same facts (:data:`ALL_ORGANIZATIONS_ROLES`, :func:`lane_scope`). Rule IDs are those
of POLICY.md where one applies (SV-2, SV-3, ND-1); the foundation's own access rules are ``ACC-n``, listed with the
table in docs/architecture.md. A mission process adds its actions to :data:`RULES` from its own slice with
:func:`add_rules`, so its permissions sit beside the rest and read the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from domain.errors import Conflict, Forbidden
from domain.identity import OVERSIGHT_ROLES, ROLE_ORG_KINDS

if TYPE_CHECKING:  # only a type here: actors.py imports this module for its own decisions
    from domain.actors import Actor

# Roles that see every organization's instances and tasks (ACC-2); the service itself too.
ALL_ORGANIZATIONS_ROLES = OVERSIGHT_ROLES | {"system"}
# Kinds of organization whose lanes are scoped to the instance's owner: the hospital or pharmacy that started it.
OWNER_SCOPED_KINDS = ("hospital", "pharmacy")


class TaskFacts(Protocol):
    """What the permissions need to know of a queue task (a row of storage's task queue fits)."""

    lane_role: str
    org_scope: str | None
    candidate_user_id: str | None
    assignee_id: str | None


Check = Callable[["Actor", Any], bool]


@dataclass(frozen=True)
class Rule:
    """One line of the table: the test an actor must pass, the rule it serves, and how a refusal reads."""

    rule_id: str
    check: Check
    code: str
    refusal: str


def _roles(*names: str) -> Check:
    return lambda actor, _obj: actor.has_role(*names)


def _anyone(actor: Actor, obj: Any) -> bool:
    return True


def sees_all_organizations(actor: Actor) -> bool:
    """Oversight roles and the system see every organization's instances and tasks (ACC-2)."""
    return bool(actor.roles & ALL_ORGANIZATIONS_ROLES)


def _may_start(actor: Actor, start_roles: tuple[str, ...] | None) -> bool:
    return start_roles is None or actor.has_role(*start_roles, "system")


def _task_visible(actor: Actor, task: TaskFacts) -> bool:
    if sees_all_organizations(actor) or actor.user_id in (task.assignee_id, task.candidate_user_id):
        return True
    in_scope = task.org_scope is None or (actor.org_id is not None and task.org_scope == actor.org_id)
    return task.lane_role in actor.roles and in_scope and task.candidate_user_id is None


def _task_workable(actor: Actor, task: TaskFacts) -> bool:
    if task.candidate_user_id is not None:  # offered to one person (an expert's review): theirs alone
        return task.candidate_user_id == actor.user_id
    return task.lane_role in actor.roles and (task.org_scope is None or task.org_scope == actor.org_id)


def _releases(actor: Actor, task: TaskFacts) -> bool:
    return task.assignee_id == actor.user_id or actor.has_role("admin", "bureau_officer")


_ADMIN = _roles("admin", "system")

RULES: dict[str, tuple[Rule, ...]] = {
    "instance.start": (
        Rule("ACC-1", lambda actor, _obj: not actor.has_role("auditor"), "read_only_role",
             "auditors read; they do not start processes"),
        Rule("ACC-3", _may_start, "start_forbidden", "this process is started by other roles"),
    ),
    "instance.read_data": (Rule("ACC-4", _anyone, "data_hidden", "the instance's data is not yours to read"),),
    "instance.cancel": (Rule("ACC-5", _roles("admin"), "admin_only", "only an administrator cancels an instance"),),
    "incident.handle": (Rule("ACC-6", _ADMIN, "admin_only", "incidents are handled by administrators"),),
    "definition.deploy": (Rule("ACC-7", _ADMIN, "admin_only", "only an administrator deploys diagrams"),),
    "directory.manage": (
        Rule("ACC-8", _ADMIN, "admin_only", "only an administrator manages organizations and users"),),
    "clock.set": (Rule("ACC-9", _ADMIN, "admin_only", "only an administrator sets the clock"),),
    "message.deliver": (
        Rule("ACC-10", _roles("admin", "bureau_officer", "nhsa_officer", "system"), "message_forbidden",
             "messages come from the NHSA, the bureau or an administrator"),),
    "reference_data.load": (
        Rule("ND-1", _roles("admin", "bureau_officer", "system"), "bureau_only",
             "only the bureau loads the catalog and the negotiated-drug list"),),
    "audit.read": (
        Rule("SV-2", _roles("auditor", "admin", "system"), "audit_forbidden",
             "the audit trail is read by auditors and administrators"),),
    "calendar.manage": (
        Rule("SV-1", _roles("admin", "bureau_officer", "system"), "bureau_only",
             "the bureau keeps the working-day table the notice periods are counted with"),),
    "task.see": (Rule("SV-3", _task_visible, "task_not_found", "no such task"),),
    "task.work": (
        Rule("SV-3", _task_workable, "not_your_task", "this task belongs to another role or organization"),),
    "task.release": (
        Rule("ACC-11", _releases, "not_assignee", "only the assignee or an administrator can release this task"),),
    "task.assign": (
        Rule("ACC-12", _roles("admin", "bureau_officer"), "assign_forbidden",
             "only an administrator or a bureau officer assigns tasks"),),
    "task.counts": (
        Rule("ACC-13", _roles("admin", "bureau_officer"), "counts_forbidden",
             "queue counts are for administrators and bureau officers"),),
    "statistics.read": (
        Rule("ACC-2", _roles("admin", "bureau_officer", "auditor", "system"), "statistics_forbidden",
             "the dashboard's statistics over every organization are for the oversight roles"),),
    "metrics.read": (
        Rule("ACC-14", _roles("admin"), "metrics_forbidden",
             "metrics are for administrators and the metrics scraper"),),
}


def add_rules(rules: Mapping[str, tuple[Rule, ...]]) -> None:
    """Add a process's actions to the table; an action already in it is refused (no silent override)."""
    clash = sorted(set(rules) & set(RULES))
    if clash:
        raise KeyError(f"actions already in the permissions table: {', '.join(clash)}")
    RULES.update(rules)


def refusal(actor: Actor, action: str, obj: Any = None) -> Rule | None:
    """The first rule of ``action`` that refuses ``actor`` on ``obj``, or None when every rule allows it."""
    return next((rule for rule in RULES[action] if not rule.check(actor, obj)), None)


def can(actor: Actor, action: str, obj: Any = None) -> bool:
    """True when ``actor`` may do ``action`` to ``obj`` (an unknown action is a bug: KeyError)."""
    return refusal(actor, action, obj) is None


def can_in_process(actor: Actor, action: str, process_key: str, obj: Any = None) -> bool:
    """``can`` for an object of one process: the generic rule (``instance.read_data``), narrowed by the process's
    own action of the same verb (``consumable_admission.read_data``) when its slice adds one."""
    own = f"{process_key}.{action.partition('.')[2]}"
    return can(actor, action, obj) and (own not in RULES or can(actor, own, obj))


def require(actor: Actor, action: str, obj: Any = None, detail: str | None = None) -> None:
    """Raise Forbidden, with the refusing rule's ID and code, unless ``actor`` may do ``action`` to ``obj``."""
    rule = refusal(actor, action, obj)
    if rule is not None:
        raise Forbidden(detail or rule.refusal, code=rule.code, rule=rule.rule_id)


# --- lanes: which organization a lane's tasks belong to -----------------------------------------------------
@dataclass(frozen=True)
class LaneScope:
    """How the tasks of a lane are scoped: to no organization (offered by role or to a person), to the instance's
    owner (which must be an organization of ``kind``), or to the one organization of ``kind`` (the bureau)."""

    kind: str | None
    owner: bool


def lane_scope(lane: str) -> LaneScope:
    """The scope of a lane's tasks; a lane is named after the role that works it (DESIGN: lanes name roles)."""
    kinds = ROLE_ORG_KINDS.get(lane, ("bureau",))
    if len(kinds) > 1:  # experts come from any organization (DA-5); their tasks are offered to persons (SV-3)
        return LaneScope(None, owner=False)
    return LaneScope(kinds[0], owner=kinds[0] in OWNER_SCOPED_KINDS)


def implied_org_kind(actor: Actor) -> str | None:
    """The kind of the actor's organization as their role implies it (``check_user`` keeps a user's role and their
    organization's kind together); None without an organization or when the role fits several kinds (experts)."""
    if actor.org_id is None:
        return None
    kinds = {kind for role in actor.roles for kind in ROLE_ORG_KINDS.get(role, ())}
    return kinds.pop() if len(kinds) == 1 else None


def owner_scoped_lanes(lanes: Iterable[str | None]) -> tuple[str, ...]:
    """The lanes, among ``lanes``, whose tasks belong to the instance's owner (sorted, each once)."""
    return tuple(sorted({lane for lane in lanes if lane and lane_scope(lane).owner}))


def require_scopable_lanes(lanes: Iterable[str | None], starter_org_kind: str | None) -> None:
    """Refuse a start whose owner-scoped lanes (a hospital's, a pharmacy's) the starter's organization cannot scope
    (ACC-15): the instance's owner is the starter's organization, and these tasks would sit in a queue nobody can
    work. Names the first such lane."""
    for lane in owner_scoped_lanes(lanes):
        scope = lane_scope(lane)
        if scope.kind != starter_org_kind:
            theirs = f"a {starter_org_kind}" if starter_org_kind else "no organization"
            raise Conflict(
                f"the tasks of lane '{lane}' go to the starter's organization, which must be a {scope.kind}; "
                f"this starter's is {theirs}, so nobody could work them", code="lane_unscopable",
                field="definition_key", rule="ACC-15", extra={"lane": lane},
            )
