"""Test data of consumable admission: the diagrams deployed, applications' facts, documents, a small catalog."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from domain.actors import SYSTEM, Actor
from workflows import definitions, reference_data
from workflows.context import Services
from workflows.forms import forms_in

from .factories import World, build_world, user

BPMN = Path(__file__).resolve().parents[1] / "bpmn" / "admission"
EXISTING_ENTRY = "C01010100101001"  # 气管支气管支架 in the small catalog and in the Guizhou catalog
NEW_ENTRY = "C09100100000000"
OTHER_NEW_ENTRY = "C14010100100101"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
REQUIRED_KINDS = ("application_letter", "application_form", "certificate", "instructions")
CATALOG_CSV = """id,name,primary_classification,secondary_classification,tertiary_classification,common_name,\
material,characteristics,payment_category,payment_standard,description
a,C01010100101001,非血管介入治疗类材料,呼吸介入材料,气管支气管支架,支架,镍钛合金,全覆膜,乙类,8085.00,
b,C01010100101004,非血管介入治疗类材料,呼吸介入材料,气管支气管支架,支架,镍钛合金,半覆膜,乙类,7350.00,
c,C02010105200001,血管介入治疗类材料,电生理类材料,房间隔穿刺鞘组,鞘组,不区分,固定弯/带电极,乙类,175.00,
"""


def ofd(extra: bytes = b"") -> bytes:
    """A minimal OFD package: a ZIP whose root holds OFD.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml", b"<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>" + extra)
        package.writestr("Doc_0/Document.xml", b"<Document/>")
    return buffer.getvalue()


def code(entry: str, enterprise: str = "03941", model: str = "0000049") -> str:
    """A 27-character product code under ``entry``."""
    return entry + enterprise + model


def facts(entry: str = NEW_ENTRY, **overrides: Any) -> dict[str, Any]:
    """A complete, valid application for a product under ``entry`` (documents are uploaded separately)."""
    values: dict[str, Any] = {
        "code": code(entry), "product_name": "一次性使用无菌导管", "manufacturer": "贵阳某医疗器械有限公司",
        "specification": "型号A 规格10mm", "certificate_number": "国械注准20153460123",
        "certificate_kind": "registration", "certificate_issued_on": "2020-01-01",
        "certificate_expires_on": "2030-12-31", "use_category": "interventional", "separately_chargeable": True,
        "service_items": [{"code": "310701001", "name": "经皮穿刺置管术"}], "price": "1280.00",
        "online_procurement": "listed", "economic_evaluation": "与同类产品相比价格较低，疗效相当。",
        "annual_fund_impact": "-25000.00",
    }
    values.update(overrides)
    return values


def deploy(services: Services) -> None:
    """Deploy the two admission diagrams with their forms."""
    forms = forms_in(BPMN / "forms")
    for name in ("consumable_application.bpmn", "consumable_round.bpmn", "consumable_catalog_change.bpmn"):
        definitions.deploy(services, SYSTEM, (BPMN / name).read_text(encoding="utf-8"), name, forms)


def load_small_catalog(services: Services, folder: Path, effective: date = date(2026, 1, 1)) -> int:
    """Load a three-entry catalog as version 1."""
    path = folder / "catalog.csv"
    path.write_text(CATALOG_CSV, encoding="utf-8")
    return reference_data.load_catalog(services, SYSTEM, path, effective, "catalog.csv").version


EXPERTS = {
    "e_clinical": ("clinical_medicine",), "e_admin": ("health_administration",),
    "e_supervision": ("drug_supervision",), "e_insurance": ("insurance_management",),
    "e_economics": ("health_economics",),
}


def admission_world(services: Services) -> World:
    """The foundation's world plus experts of the five fields (one employed by hospital h1, for SV-3)."""
    world = build_world(services)
    for username, fields in EXPERTS.items():
        employer = "H52010200001" if username == "e_clinical" else "BUREAU-520000"
        user(services, world, username, "expert", employer, expert_fields=fields)
    user(services, world, "e_clinical2", "expert", "BUREAU-520000", expert_fields=("clinical_medicine",))
    return world


def actor(world: World, username: str) -> Actor:
    """The actor of a world user."""
    roles = {"officer": "bureau_officer", "nhsa": "nhsa_officer", "h1_officer": "hospital_officer",
             "h2_officer": "hospital_officer", "admin": "admin", "auditor": "auditor"}
    org = {"officer": "bureau", "nhsa": "nhsa", "h1_officer": "h1", "h2_officer": "h2", "admin": "bureau",
           "auditor": "bureau", "e_clinical": "h1"}.get(username, "bureau")
    return Actor(world.users[username], world.orgs[org], frozenset({roles.get(username, "expert")}), username)
