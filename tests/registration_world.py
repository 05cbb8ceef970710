"""Test data of the negotiated-drug registration: hospitals, physicians and pharmacies of every kind the ND rules
distinguish, the drug list, the diagram, a payment configuration and the clock — all made through the real use cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.actors import SYSTEM, Actor
from domain.dates import china_midnight
from domain.registration.demo_payment import DEMO_PAYMENT_RULES
from workflows import clock, definitions, reference_data
from workflows.context import Services
from workflows.forms import forms_in
from workflows.registration import payment

from .factories import World, build_world, org, user

ROOT = Path(__file__).resolve().parents[1]
DIAGRAM = ROOT / "bpmn" / "registration" / "registration.bpmn"
START = date(2026, 8, 31)  # a month end: its dates clamp (docs/registration-dates.md)
DRUG = "托法替布"  # needs a rheumatologist (ND-16); annual limit 13 000 yuan (ND-9)
PSN = "52010000000000000001"


@dataclass
class RegWorld:
    """The test world with the registration's actors by short name."""

    world: World
    actors: dict[str, Actor] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Actor:
        return self.actors[name]


def deploy_registration(services: Services) -> None:
    """Deploy the shipped registration diagram with its forms."""
    definitions.deploy(services, SYSTEM, DIAGRAM.read_text(encoding="utf-8"), DIAGRAM.name,
                       forms_in(DIAGRAM.parent / "forms"))


def at(day: date) -> datetime:
    """A second after midnight of ``day`` in China time."""
    return china_midnight(day).replace(second=1)


def build_registration_world(services: Services, today: date = START, world: World | None = None) -> RegWorld:
    """build_world plus a tier-2 hospital, two more tier-3 hospitals (one without cross-province settlement),
    physicians of every title, two pharmacies (one not linked to H1, one not dual-channel)."""
    world = world or build_world(services)
    org(services, world, "h3", "hospital", "H52010300003")
    org(services, world, "h5", "hospital", "H52040200005", cross_province=False)
    org(services, world, "tier2", "hospital", "H52030200004", tier=2)
    org(services, world, "p_unlinked", "pharmacy", "P52010300009")
    org(services, world, "p_single", "pharmacy", "P52010200008", dual_channel=False, designated_by=["H52010200001"])
    user(services, world, "h1_junior", "physician", "H52010200001", physician_code="D520102000002", title="主治医师",
         specialty="rheumatology")
    user(services, world, "h1_oncologist", "physician", "H52010200001", physician_code="D520102000003",
         title="副主任医师", specialty="oncology")
    user(services, world, "h1_colleague", "physician", "H52010200001", physician_code="D520102000004",
         title="副主任医师", specialty="rheumatology")
    user(services, world, "h2_doctor", "physician", "H52030200002", physician_code="D520302000001", title="主任医师",
         specialty="rheumatology")
    user(services, world, "h3_doctor", "physician", "H52010300003", physician_code="D520103000001", title="主任医师",
         specialty="rheumatology")
    user(services, world, "h5_doctor", "physician", "H52040200005", physician_code="D520402000001", title="主任医师",
         specialty="rheumatology")
    user(services, world, "tier2_doctor", "physician", "H52030200004", physician_code="D520302000002",
         title="主任医师", specialty="rheumatology")
    user(services, world, "pu_pharmacist", "pharmacist", "P52010300009")
    user(services, world, "ps_pharmacist", "pharmacist", "P52010200008")
    reference_data.load_drug_list(services, SYSTEM, ROOT / "data" / "negotiated-drugs.csv", date(2026, 1, 1),
                                  "negotiated-drugs.csv")
    deploy_registration(services)
    payment.set_payment_config(services, SYSTEM, DEMO_PAYMENT_RULES, "test configuration")
    clock.set_clock(services, SYSTEM, at(today))
    reg = RegWorld(world)
    roles = {"admin": "admin", "officer": "bureau_officer", "auditor": "auditor", "h1_officer": "hospital_officer",
             "h2_officer": "hospital_officer", "p1_pharmacist": "pharmacist", "pu_pharmacist": "pharmacist",
             "ps_pharmacist": "pharmacist"}
    orgs = {"admin": "bureau", "officer": "bureau", "auditor": "bureau", "h1_officer": "h1", "h2_officer": "h2",
            "p1_pharmacist": "p1", "pu_pharmacist": "p_unlinked", "ps_pharmacist": "p_single", "h1_doctor": "h1",
            "h1_junior": "h1", "h1_oncologist": "h1", "h1_colleague": "h1", "h2_doctor": "h2", "h3_doctor": "h3",
            "h5_doctor": "h5", "tier2_doctor": "tier2"}
    for name, org_short in orgs.items():
        role = roles.get(name, "physician")
        reg.actors[name] = Actor(world.users[name], world.orgs[org_short], frozenset({role}), name)
    return reg


def patient(psn_no: str = PSN, **changes: Any) -> dict[str, Any]:
    """An employee-insured patient of the hospital's city, entitled to benefits (ND-2, ND-10)."""
    return {"psn_no": psn_no, "insurance_type": "employee", "insurance_region": "520100", "entitled": True,
            **changes}


def record(**changes: Any) -> dict[str, Any]:
    """A complete clinical record for 托法替布 (ND-5, ND-6)."""
    values: dict[str, Any] = {
        "diagnosis_code": "M05.900", "diagnosis_name": "类风湿关节炎",
        "diagnostic_basis": "ACR/EULAR 2010 评分 7 分，DAS28 5.6",
        "indication": "类风湿关节炎经传统DMARDs治疗3-6个月疾病活动度下降低于50%", "indication_confirmed": True,
        "prescription": {"dose": "5 mg", "frequency": "每日2次", "quantity_per_fill": "56"},
    }
    values.update(changes)
    return values


def form_record(**changes: Any) -> dict[str, Any]:
    """The same record as the reassessment form's flat data."""
    values = record()
    prescription = values.pop("prescription")
    return {**values, **prescription, **changes}
