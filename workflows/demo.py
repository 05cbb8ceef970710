"""Demo data: the bureau, the NHSA, five hospitals, two dual-channel pharmacies, a user of every role, the
negotiated-drug list and the Guizhou consumable catalog. Idempotent: what exists is left as it is.

With ``samples`` (``yibao demo load --samples``, what ``make run`` does) each mission process also starts some
work through its use cases — applications in an open round, a registration — so that every demo role finds
something in their queue. Each slice's ``load_samples`` skips when its diagrams are not deployed or when its
samples exist."""

from __future__ import annotations

import importlib
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from domain.actors import SYSTEM, Actor
from domain.identity import OrganizationFacts

from . import identity, processes, reference_data
from .context import Services

BUREAU = "BUREAU-520000"
NHSA = "NHSA-100000"

ORGANIZATIONS: tuple[tuple[OrganizationFacts, tuple[str, ...]], ...] = (
    (OrganizationFacts("bureau", BUREAU, "贵州省医疗保障局", "520000"), ()),
    (OrganizationFacts("nhsa", NHSA, "国家医疗保障局", "110000"), ()),
    (OrganizationFacts("hospital", "H52010200001", "贵州省人民医院", "520102", 3, False, True), ()),
    (OrganizationFacts("hospital", "H52010300002", "贵州医科大学附属医院", "520103", 3, False, True), ()),
    (OrganizationFacts("hospital", "H52010300003", "贵州省肿瘤医院", "520103", 3, True, True), ()),
    (OrganizationFacts("hospital", "H52030200004", "遵义市红花岗区人民医院", "520302", 2, False, False), ()),
    (OrganizationFacts("hospital", "H52040200005", "安顺市西秀区人民医院", "520402", 2, False, True), ()),
    (OrganizationFacts("pharmacy", "P52010200001", "贵州一树大药房南明店", "520102", dual_channel=True),
     ("H52010200001",)),
    (OrganizationFacts("pharmacy", "P52010300002", "贵州康心药房云岩店", "520103", dual_channel=True),
     ("H52010300003",)),
)

USERS: tuple[dict[str, Any], ...] = (
    {"username": "admin", "role": "admin", "org_code": BUREAU, "display_name": "系统管理员"},
    {"username": "bureau.wang", "role": "bureau_officer", "org_code": BUREAU, "display_name": "王科长"},
    {"username": "auditor.zhao", "role": "auditor", "org_code": BUREAU, "display_name": "赵审计"},
    {"username": "nhsa.li", "role": "nhsa_officer", "org_code": NHSA, "display_name": "李处长"},
    {"username": "h1.officer", "role": "hospital_officer", "org_code": "H52010200001", "display_name": "省医医保办"},
    {"username": "h2.officer", "role": "hospital_officer", "org_code": "H52010300002", "display_name": "贵医医保办"},
    {"username": "h3.officer", "role": "hospital_officer", "org_code": "H52010300003", "display_name": "肿瘤医院医保"},
    {"username": "h4.officer", "role": "hospital_officer", "org_code": "H52030200004", "display_name": "红花岗医保办"},
    {"username": "h1.dr.chen", "role": "physician", "org_code": "H52010200001", "display_name": "陈主任",
     "physician_code": "D520102000101", "title": "主任医师", "specialty": "rheumatology"},
    {"username": "h3.dr.liu", "role": "physician", "org_code": "H52010300003", "display_name": "刘副主任",
     "physician_code": "D520103000301", "title": "副主任医师", "specialty": "oncology"},
    {"username": "h1.dr.zhou", "role": "physician", "org_code": "H52010200001", "display_name": "周医生",
     "physician_code": "D520102000102", "title": "主治医师", "specialty": "rheumatology"},
    {"username": "p1.pharmacist", "role": "pharmacist", "org_code": "P52010200001", "display_name": "一树药师"},
    {"username": "p2.pharmacist", "role": "pharmacist", "org_code": "P52010300002", "display_name": "康心药师"},
    {"username": "expert.clinical", "role": "expert", "org_code": "H52010300002", "display_name": "临床专家",
     "expert_fields": ("clinical_medicine",)},
    {"username": "expert.admin", "role": "expert", "org_code": BUREAU, "display_name": "卫生管理专家",
     "expert_fields": ("health_administration",)},
    {"username": "expert.supervision", "role": "expert", "org_code": BUREAU, "display_name": "药监专家",
     "expert_fields": ("drug_supervision",)},
    {"username": "expert.insurance", "role": "expert", "org_code": BUREAU, "display_name": "医保管理专家",
     "expert_fields": ("insurance_management",)},
    {"username": "expert.economics", "role": "expert", "org_code": BUREAU, "display_name": "卫生经济专家",
     "expert_fields": ("health_economics", "insurance_management")},
)


CATALOG_FILE = "guizhou-consumables-catalog.csv"


def _catalog(services: Services, data: Path, effective: date) -> int:
    """Load the demo catalog, unless it was loaded and versions were published on top of it since (CM-6): a demo
    reload must not replace a published catalog with the file's."""
    versions = reference_data.list_catalog_versions(services)
    loaded = [v for v in versions if v.source.startswith(f"{CATALOG_FILE} ")]
    if loaded and versions[-1].version != loaded[-1].version:
        return loaded[-1].version
    return reference_data.load_catalog(services, SYSTEM, data / CATALOG_FILE, effective, CATALOG_FILE).version


@dataclass
class DemoResult:
    """What a load created: organizations, users with their one-time passwords, reference data versions."""

    organizations: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)
    catalog_version: int | None = None
    drug_list_version: int | None = None


def actor(services: Services, username: str) -> Actor:
    """A demo user as the use cases take them (for the slices' samples)."""
    with services.uow(read_only=True) as uow:
        user = uow.identity.user_by_name(username)
        if user is None:
            raise LookupError(f"no demo user {username}: load the demo data first")
        return Actor(user.id, user.org_id, frozenset({user.role}), username)


def load(services: Services, effective: date = date(2026, 1, 1), samples: bool = False) -> DemoResult:
    """Create what is missing of the demo data; new users get a random password, returned once. With
    ``samples``, each mission process also starts its sample work (its package's ``load_samples``)."""
    result = DemoResult()
    existing_orgs = {o.code for o in identity.list_organizations(services)}
    for facts, designated_by in ORGANIZATIONS:
        if facts.code not in existing_orgs:
            identity.create_organization(services, SYSTEM, facts, list(designated_by))
            result.organizations.append(facts.code)
    existing_users = {u.username for u in identity.list_users(services, SYSTEM)}
    for spec in USERS:
        if spec["username"] not in existing_users:
            password = secrets.token_urlsafe(12)
            identity.create_user(services, SYSTEM, password=password, **spec)
            result.passwords[spec["username"]] = password
    data = Path(services.settings.data_dir)
    result.catalog_version = _catalog(services, data, effective)
    result.drug_list_version = reference_data.load_drug_list(
        services, SYSTEM, data / "negotiated-drugs.csv", effective, "negotiated-drugs.csv").version
    for name in processes.SLICES:  # each mission process adds its own demo data (its package's load_demo)
        getattr(importlib.import_module(name), "load_demo", lambda _services: None)(services)
    if samples:
        for name in processes.SLICES:
            getattr(importlib.import_module(name), "load_samples", lambda _services: None)(services)
    return result
