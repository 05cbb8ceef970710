"""Who may do what in consumable admission: the slice's lines of the permissions table, each with its rule.

``RULES`` is added to ``domain.permissions`` by the slice (``workflows/admission``). Objects are anything with the
attributes a check reads (an application row: ``hospital_id``, ``expert_ids``; a review: ``expert_id``; a process
instance: ``owner_org``). Storage builds the SQL form of ``sees_application`` from the same facts.
"""

from __future__ import annotations

from typing import Any

from domain.actors import Actor
from domain.permissions import Rule, sees_all_organizations

HOSPITAL = "hospital_officer"
BUREAU = ("bureau_officer", "admin")


def _roles(*names: str) -> Any:
    return lambda actor, _obj: actor.has_role(*names, "system")


def own_hospital(actor: Actor, application: Any) -> bool:
    """The applying hospital's officers act on its applications (SV-3: a hospital sees only its own)."""
    return actor.has_role(HOSPITAL) and actor.org_id is not None and actor.org_id == application.hospital_id


def sees_application(actor: Actor, application: Any) -> bool:
    """Oversight roles see every application; a hospital its own; an expert those of candidates assigned to them."""
    if sees_all_organizations(actor) or own_hospital(actor, application):
        return True
    return actor.has_role("expert") and actor.user_id in getattr(application, "expert_ids", ())


def sees_review(actor: Actor, review: Any) -> bool:
    """Oversight roles see every review; an expert only their own (SV-3)."""
    return sees_all_organizations(actor) or (actor.has_role("expert") and actor.user_id == review.expert_id)


def sees_every_candidate(actor: Actor, _obj: Any = None) -> bool:
    """The bureau, auditors and the NHSA (which receives the filing, DA-6) see every candidate of a round."""
    return sees_all_organizations(actor) or actor.has_role("nhsa_officer")


def reads_application_data(actor: Actor, instance: Any) -> bool:
    """An application instance's data: its hospital and the oversight roles."""
    return sees_all_organizations(actor) or (actor.org_id is not None and actor.org_id == instance.owner_org)


RULES: dict[str, tuple[Rule, ...]] = {
    "admission.application.create": (
        Rule("DA-1", _roles(HOSPITAL), "hospital_only",
             "applications come from the officers of designated medical institutions"),),
    "admission.application.see": (Rule("SV-3", sees_application, "application_not_found", "no such application"),),
    "admission.application.edit": (
        Rule("SV-3", own_hospital, "not_your_application", "only the applying hospital's officers change it"),),
    "admission.round.manage": (
        Rule("DA-1", _roles(*BUREAU), "bureau_only", "the bureau runs the adjustment rounds"),),
    "admission.round.see_candidates": (
        Rule("SV-3", sees_every_candidate, "candidates_hidden", "experts see only the candidates assigned to them"),),
    "admission.review.see": (Rule("SV-3", sees_review, "review_not_found", "no such review"),),
    "admission.review.submit": (
        Rule("SV-3", _roles("expert"), "not_your_task", "only the assigned experts review"),),
    "admission.payment_ratios.manage": (
        Rule("PAY-4", _roles(*BUREAU), "bureau_only", "the bureau maintains the regions' payment ratios"),),
    "admission.filing.answer": (
        Rule("DA-6", _roles("nhsa_officer", "admin"), "nhsa_only", "the NHSA answers a filing"),),
    "consumable_application.read_data": (
        Rule("SV-3", reads_application_data, "data_hidden", "an application's data is its hospital's"),),
    "consumable_round.read_data": (
        Rule("SV-3", lambda actor, _obj: sees_all_organizations(actor), "data_hidden",
             "a round's data holds every candidate and review: the bureau's"),),
}
