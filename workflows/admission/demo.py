"""Demo data of admission: illustrative region ratios for the payment calculator (PAY-4), published once; and, as
samples, an open round with applications waiting for the bureau (``yibao demo load --samples``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.actors import SYSTEM
from domain.admission.demo_payment import DEMO_NOTE, DEMO_REGION_RATIOS
from domain.dates import china_date
from domain.errors import NotFound

from .. import clock, demo
from ..context import Services
from ..definitions import list_definitions
from . import applications, documents, rounds
from .application_projector import PROCESS_KEY as APPLICATION_KEY
from .payment import get_ratios, publish_ratios
from .round_projector import PROCESS_KEY as ROUND_KEY


def load_demo(services: Services) -> None:
    """Publish the demo ratios unless some are published (idempotent)."""
    try:
        get_ratios(services)
    except NotFound:
        publish_ratios(services, SYSTEM, DEMO_REGION_RATIOS, expected_version=0, note=DEMO_NOTE)


SAMPLE_ROUND = "2026年度第二批医用耗材目录调整（演示）"
SAMPLE_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SAMPLE_KINDS = ("application_letter", "application_form", "certificate", "instructions")
# Two products of entries the Guizhou catalog does not list (new entries, DA-3), and one draft left unfinished.
SAMPLE_APPLICATIONS: tuple[tuple[str, dict[str, Any], bool], ...] = (
    ("h1.officer", {"code": "C09100100000000039410000049", "product_name": "一次性使用无菌中心静脉导管"}, True),
    ("h3.officer", {"code": "C14010100100101039410000050", "product_name": "一次性使用止血夹"}, True),
    ("h2.officer", {"code": "C09100100000000039520000012", "product_name": "一次性使用输液港"}, False),
)


def _facts(**given: Any) -> dict[str, Any]:
    return {
        "manufacturer": "贵阳某医疗器械有限公司", "specification": "型号A 规格10mm",
        "certificate_number": "国械注准20153460123", "certificate_kind": "registration",
        "certificate_issued_on": "2020-01-01", "certificate_expires_on": "2030-12-31",
        "use_category": "interventional", "separately_chargeable": True,
        "service_items": [{"code": "310701001", "name": "经皮穿刺置管术"}], "price": "1280.00",
        "online_procurement": "listed", "economic_evaluation": "与同类产品相比价格较低，疗效相当。",
        "annual_fund_impact": "-25000.00", **given}


def load_samples(services: Services) -> None:
    """An open round with two submitted applications waiting for the bureau's material review and one draft
    (DA-1…DA-4); nothing when the admission diagrams are not deployed or a round exists (idempotent)."""
    if not list_definitions(services, APPLICATION_KEY) or not list_definitions(services, ROUND_KEY):
        return
    bureau = demo.actor(services, "bureau.wang")
    if rounds.list_rounds(services, bureau):
        return
    today = china_date(clock.read_clock(services).now)
    rounds.open_round(services, bureau, SAMPLE_ROUND, today - timedelta(days=1), today + timedelta(days=30))
    for username, given, submitted in SAMPLE_APPLICATIONS:
        officer = demo.actor(services, username)
        made = applications.create_application(services, officer, _facts(**given) if submitted else given)
        if submitted:
            for kind in SAMPLE_KINDS:
                documents.upload_document(services, officer, made.id, kind, f"{kind}.pdf", SAMPLE_PDF + kind.encode())
            applications.submit_application(services, officer, made.id)
