"""The application record as the process reads it: its facts, what a submission carries, the catalog it meets."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from domain.admission.application_data import application_from_data, application_to_data
from domain.admission.findings import Finding
from domain.dates import CHINA_TZ
from storage.admission_models import Application
from storage.admission_repository import Applications
from storage.uow import UnitOfWork


def china_date(at: datetime) -> date:
    """The date in China of an instant (application and deadline dates are China dates)."""
    return at.astimezone(CHINA_TZ).date()


def facts_of(row: Application) -> dict[str, Any]:
    """The facts the hospital recorded (documents are listed from the uploads, not here)."""
    facts: dict[str, Any] = json.loads(row.facts)
    return facts


def normalised(data: dict[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
    """Facts as the record keeps them (``application_to_data``), and the values that could not be read."""
    facts, findings = application_from_data(data)
    plain = application_to_data(facts)
    plain.pop("documents", None)
    return plain, findings


def submission(uow: UnitOfWork, row: Application) -> dict[str, Any]:
    """Exactly the data that submits this application (the form of its submit and supplement tasks)."""
    kinds = sorted(uow.repository(Applications).document_kinds(row.id))
    application = {**facts_of(row), "documents": kinds} if kinds else facts_of(row)
    return {"application": application, "existing_entry": existing_entry(uow, application.get("code")),
            "declaration": True}


def existing_entry(uow: UnitOfWork, code: object) -> bool:
    """True when the code's first 15 characters are an entry of the current catalog (DA-4)."""
    if not isinstance(code, str) or len(code) != 27:
        return False
    latest = uow.catalogs.latest()
    return latest is not None and uow.catalogs.entry(latest.id, code[:15]) is not None


def current_catalog_codes(uow: UnitOfWork, codes: list[str]) -> set[str]:
    """Which of ``codes`` are entries of the current catalog."""
    latest = uow.catalogs.latest()
    if latest is None:
        return set()
    return {code for code in codes if uow.catalogs.entry(latest.id, code) is not None}
