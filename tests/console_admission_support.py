"""Test data of the console's admission pages, made through the real use cases on a console world: the admission
diagrams, five more experts, an open round with two accepted applications (h1's and h2's), the window closed and
an expert panel assigned to each candidate — the expert ``expert`` reviews only h1's (SV-3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from domain.dates import CHINA_TZ
from workflows import clock
from workflows.admission import applications, documents, round_messages, rounds
from workflows.context import Services

from .admission_support import NEW_ENTRY, OTHER_NEW_ENTRY, PDF, REQUIRED_KINDS, actor, deploy, facts
from .factories import World, user

EXPERTS = {"e_admin": "health_administration", "e_supervision": "drug_supervision",
           "e_clinical2": "clinical_medicine", "e_insurance": "insurance_management",
           "e_economics": "health_economics"}
PANELS = {NEW_ENTRY: ("expert", "e_admin", "e_supervision"), OTHER_NEW_ENTRY: ("e_clinical2", "e_insurance",
                                                                               "e_economics")}
NAMES = {"primary_class": "血管介入治疗类材料", "secondary_class": "导管类", "tertiary_class": "中心静脉导管",
         "common_name": "导管"}


@dataclass
class AdmissionWorld:
    round_id: str
    applications: dict[str, str] = field(default_factory=dict)  # hospital officer → accepted application id


def drafted(services: Services, world: World, hospital: str, with_documents: bool = True, **overrides: object) -> str:
    """A draft of ``hospital`` with valid facts (and the four required documents); its id."""
    officer = actor(world, hospital)
    app = applications.create_application(services, officer, facts(**overrides))
    if with_documents:
        for kind in REQUIRED_KINDS:
            documents.upload_document(services, officer, app.id, kind, f"{kind}.pdf", PDF + kind.encode())
    return app.id


def build_admission(services: Services, world: World) -> AdmissionWorld:
    """A round in expert review: h1's application under NEW_ENTRY, h2's under OTHER_NEW_ENTRY, panels assigned."""
    deploy(services)
    for username, expert_field in EXPERTS.items():
        user(services, world, username, "expert", "BUREAU-520000", expert_fields=(expert_field,))
    bureau = actor(world, "officer")
    today = clock.read_clock(services).now.astimezone(CHINA_TZ).date()
    opened = rounds.open_round(services, bureau, "2026年度耗材目录调整", today - timedelta(days=1),
                               today + timedelta(days=30))
    made = AdmissionWorld(opened.id)
    for hospital, entry in (("h1_officer", NEW_ENTRY), ("h2_officer", OTHER_NEW_ENTRY)):
        app_id = drafted(services, world, hospital, entry=entry)
        applications.submit_application(services, actor(world, hospital), app_id)
        applications.review_materials(services, bureau, app_id, "accept")
        made.applications[hospital] = app_id
    rounds.close_window(services, bureau, opened.id)
    rounds.assign_experts(services, bureau, opened.id,
                          {entry: [world.users[u] for u in panel] for entry, panel in PANELS.items()})
    return made


def file_with_nhsa(services: Services, world: World, made: AdmissionWorld) -> None:
    """Every expert reviews, the bureau consolidates: the round's filing waits for the NHSA (DA-6)."""
    for entry, panel in PANELS.items():
        for username in panel:
            rounds.submit_review(services, actor(world, username), made.round_id, entry,
                                 {"include": True, "category": "乙", "max_payment_standard": "1200.00",
                                  "reasoning": "临床必需"})
    rounds.consolidate(services, actor(world, "officer"), made.round_id, {
        entry: {"include": True, "category": "乙", "max_payment_standard": "1200.00", "names": NAMES}
        for entry in PANELS})
    assert [f.status for f in round_messages.list_filings(services, actor(world, "nhsa"))] == ["pending"]
