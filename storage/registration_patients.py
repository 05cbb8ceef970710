"""Insured patients by psn_no (``storage.registration_models.Patient``); ``uow.repository(Patients)``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .registration_models import Patient


class Patients:
    """Read and upsert patients; the national ID number only ever as its digest."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, psn_no: str, lock: bool = False) -> Patient | None:
        query = select(Patient).where(Patient.psn_no == psn_no)
        return self.session.scalars(query.with_for_update() if lock else query).first()

    def add(self, row: Patient) -> None:
        self.session.add(row)

    def with_national_id(self, digest: str) -> Sequence[Patient]:
        """The patients recorded with this national ID number's digest (one person may have more than one)."""
        return self.session.scalars(select(Patient).where(Patient.national_id_digest == digest)
                                    .order_by(Patient.psn_no).limit(20)).all()
