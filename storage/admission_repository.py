"""Repositories of the admission read models, through the ORM on the unit of work's session.

``Applications`` (applications and their documents), ``Rounds`` (rounds, candidates, expert assignments and
reviews, filings, objections) and ``CatalogProducts``; a use case or projector takes them with
``uow.repository(Applications)``. Visibility is applied in SQL from the same facts as ``domain.permissions``: a
hospital's rows are its own, an expert's are those of the candidates assigned to them (SV-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, exists, false, func, insert, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain.actors import Actor
from domain.permissions import sees_all_organizations

from .admission_models import (
    Application,
    ApplicationDocument,
    Candidate,
    DocumentBlob,
    ExpertAssignment,
    ExpertReview,
    Filing,
    Objection,
    Round,
)

MAX_PAGE = 200


def application_visible_to(actor: Actor) -> ColumnElement[bool]:
    """The SQL form of ``domain.admission.access.sees_application``: oversight roles all, a hospital's officers
    their own, an expert the applications of the candidates assigned to them (SV-3)."""
    if sees_all_organizations(actor):
        return true()
    conditions: list[ColumnElement[bool]] = []
    if actor.has_role("hospital_officer") and actor.org_id:
        conditions.append(Application.hospital_id == actor.org_id)
    if actor.has_role("expert"):
        conditions.append(and_(Application.fast_path.is_(False), exists().where(
            ExpertAssignment.round_id == Application.round_id, ExpertAssignment.entry_code == Application.entry_code,
            ExpertAssignment.expert_id == actor.user_id)))
    return or_(*conditions) if conditions else false()


class Applications:
    """Applications and their documents (content-addressed blobs, each stored once)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Application) -> None:
        """Add a new application row."""
        self.session.add(row)

    def get(self, application_id: str, *, lock: bool = False) -> Application | None:
        """The application with ``application_id``, optionally locked for update."""
        query = select(Application).where(Application.id == application_id)
        if lock:  # the row as it is now, not as this session first saw it
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalars(query).first()

    def by_instance(self, instance_id: str) -> Application | None:
        """The application of a process instance."""
        return self.session.scalars(select(Application).where(Application.instance_id == instance_id)).first()

    def page(self, visible: ColumnElement[bool] | None, *, status: str | None, round_id: str | None,
             limit: int, offset: int) -> tuple[list[Application], int]:
        """One page of the applications matching the filters, newest first, and how many match in all."""
        query = select(Application)
        if visible is not None:
            query = query.where(visible)
        if status is not None:
            query = query.where(Application.status == status)
        if round_id is not None:
            query = query.where(Application.round_id == round_id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(Application.created_at.desc(), Application.id)
                                    .limit(min(limit, MAX_PAGE)).offset(offset)).all()
        return list(rows), total

    def count_by_round_and_status(self, visible: ColumnElement[bool]) -> list[tuple[str, str, str, int]]:
        """The visible applications in a round, counted per round (id, name; oldest round first) and status."""
        query = (select(Round.id, Round.name, Application.status, func.count())
                 .join(Round, Round.id == Application.round_id).where(visible)
                 .group_by(Round.id, Round.name, Round.opens_on, Round.created_at, Application.status)
                 .order_by(Round.opens_on, Round.created_at, Round.id, Application.status))
        return [(str(i), str(name), str(status), int(n)) for i, name, status, n in self.session.execute(query).all()]

    def waiting_for_a_round(self) -> list[Application]:
        """Accepted applications that joined no round yet (DA-1: they join the next one to open)."""
        query = select(Application).where(Application.status == "accepted", Application.round_id.is_(None))
        return list(self.session.scalars(query.order_by(Application.accepted_on, Application.id)))

    def in_round(self, round_id: str, statuses: Iterable[str] | None = None) -> list[Application]:
        """The applications of a round, optionally only those in ``statuses``, by code then id."""
        query = select(Application).where(Application.round_id == round_id)
        if statuses is not None:
            query = query.where(Application.status.in_(list(statuses)))
        return list(self.session.scalars(query.order_by(Application.code, Application.id)))

    # --- documents ---------------------------------------------------------------------------------------
    def store_blob(self, sha256: str, size: int, media_type: str, content: bytes, now: datetime) -> None:
        """Store a document's content unless the same content is stored already (one row per SHA-256)."""
        dialect = self.session.get_bind().dialect.name
        values = {"sha256": sha256, "size": size, "media_type": media_type, "content": content, "created_at": now}
        if dialect == "postgresql":
            self.session.execute(postgresql.insert(DocumentBlob).values(**values).on_conflict_do_nothing())
        elif dialect == "sqlite":
            self.session.execute(sqlite.insert(DocumentBlob).values(**values).on_conflict_do_nothing())
        elif self.session.get(DocumentBlob, sha256) is None:
            self.session.execute(insert(DocumentBlob).values(**values))

    def document(self, application_id: str, document_id: str) -> ApplicationDocument | None:
        """One document of an application."""
        query = select(ApplicationDocument).where(ApplicationDocument.id == document_id,
                                                  ApplicationDocument.application_id == application_id)
        return self.session.scalars(query).first()

    def document_like(self, application_id: str, kind: str, sha256: str) -> ApplicationDocument | None:
        """The application's document of this kind with this content, if it was uploaded already."""
        query = select(ApplicationDocument).where(
            ApplicationDocument.application_id == application_id, ApplicationDocument.kind == kind,
            ApplicationDocument.sha256 == sha256)
        return self.session.scalars(query).first()

    def add_document(self, row: ApplicationDocument) -> None:
        """Link a stored content to an application."""
        self.session.add(row)

    def documents(self, application_id: str) -> list[tuple[ApplicationDocument, DocumentBlob]]:
        """The application's documents with their stored content's facts, oldest first."""
        query = (select(ApplicationDocument, DocumentBlob)
                 .join(DocumentBlob, DocumentBlob.sha256 == ApplicationDocument.sha256)
                 .where(ApplicationDocument.application_id == application_id)
                 .order_by(ApplicationDocument.uploaded_at, ApplicationDocument.id))
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def blob(self, sha256: str) -> DocumentBlob | None:
        """A stored content by its SHA-256."""
        return self.session.get(DocumentBlob, sha256)

    def document_kinds(self, application_id: str) -> set[str]:
        """The kinds of material the application has documents for (DA-2)."""
        query = select(ApplicationDocument.kind).where(ApplicationDocument.application_id == application_id)
        return set(self.session.scalars(query))

    def remove_document(self, row: ApplicationDocument) -> None:
        """Unlink a document from its application (the content stays: another application may use it)."""
        self.session.delete(row)

    def blob_count(self) -> int:
        """How many distinct contents are stored."""
        return self.session.scalar(select(func.count()).select_from(DocumentBlob)) or 0


class Rounds:
    """Adjustment rounds, their candidates, expert assignments and reviews, filings and objections."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        """Add a new row of one of the round tables."""
        self.session.add(row)

    def flush(self) -> None:
        """Send pending rows now (bulk statements that follow read them)."""
        self.session.flush()

    def get(self, round_id: str, *, lock: bool = False) -> Round | None:
        """The round with ``round_id``, optionally locked for update."""
        query = select(Round).where(Round.id == round_id)
        if lock:  # the row as it is now, not as this session first saw it
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalars(query).first()

    def by_instance(self, instance_id: str) -> Round | None:
        """The round of a process instance."""
        return self.session.scalars(select(Round).where(Round.instance_id == instance_id)).first()

    def all(self, stage: str | None = None) -> list[Round]:
        """Every round (optionally of one stage), newest window first."""
        query = select(Round)
        if stage is not None:
            query = query.where(Round.stage == stage)
        return list(self.session.scalars(query.order_by(Round.opens_on.desc(), Round.id)))

    def published(self) -> list[Round]:
        """The rounds whose results were published (SV-1), newest first."""
        query = select(Round).where(Round.published_version.is_not(None)).order_by(Round.published_at.desc())
        return list(self.session.scalars(query))

    # --- candidates ----------------------------------------------------------------------------------------
    def candidates(self, round_id: str, expert_id: str | None = None,
                   entry_code: str | None = None) -> list[Candidate]:
        """The round's candidates (or the one of ``entry_code``) by entry code; for an expert, only those assigned
        to them (SV-3)."""
        query = select(Candidate).where(Candidate.round_id == round_id)
        if entry_code is not None:
            query = query.where(Candidate.entry_code == entry_code)
        if expert_id is not None:
            query = query.where(exists().where(
                ExpertAssignment.round_id == Candidate.round_id, ExpertAssignment.entry_code == Candidate.entry_code,
                ExpertAssignment.expert_id == expert_id))
        return list(self.session.scalars(query.order_by(Candidate.entry_code)))

    def candidate(self, round_id: str, entry_code: str) -> Candidate | None:
        """One candidate of a round."""
        return self.session.get(Candidate, (round_id, entry_code))

    # --- experts ---------------------------------------------------------------------------------------------
    def assignments(self, round_id: str, entry_code: str | None = None) -> list[ExpertAssignment]:
        """The round's expert assignments (of one candidate), by entry then expert."""
        query = select(ExpertAssignment).where(ExpertAssignment.round_id == round_id)
        if entry_code is not None:
            query = query.where(ExpertAssignment.entry_code == entry_code)
        return list(self.session.scalars(query.order_by(ExpertAssignment.entry_code, ExpertAssignment.expert_id)))

    def assignment(self, round_id: str, entry_code: str, expert_id: str) -> ExpertAssignment | None:
        """One expert's assignment to one candidate."""
        return self.session.get(ExpertAssignment, (round_id, entry_code, expert_id))

    def replace_assignments(self, round_id: str, rows: Sequence[ExpertAssignment]) -> None:
        """Make ``rows`` the round's assignments."""
        self.session.execute(delete(ExpertAssignment).where(ExpertAssignment.round_id == round_id))
        self.session.add_all(rows)

    def expert_rounds(self, expert_id: str) -> list[ExpertAssignment]:
        """Every assignment of one expert, newest round first."""
        query = select(ExpertAssignment).where(ExpertAssignment.expert_id == expert_id)
        return list(self.session.scalars(query.order_by(ExpertAssignment.assigned_at.desc(),
                                                        ExpertAssignment.entry_code)))

    def reviews(self, round_id: str, entry_code: str | None = None,
                expert_id: str | None = None) -> list[ExpertReview]:
        """The round's reviews (of one candidate, of one expert), by entry then expert."""
        query = select(ExpertReview).where(ExpertReview.round_id == round_id)
        if entry_code is not None:
            query = query.where(ExpertReview.entry_code == entry_code)
        if expert_id is not None:
            query = query.where(ExpertReview.expert_id == expert_id)
        return list(self.session.scalars(query.order_by(ExpertReview.entry_code, ExpertReview.expert_id)))

    def put_review(self, row: ExpertReview) -> None:
        """Record an expert's review of a candidate (again replaces it: keyed by expert)."""
        self.session.merge(row)

    # --- filings and objections ------------------------------------------------------------------------
    def filings(self, round_id: str | None = None, status: str | None = None) -> list[Filing]:
        """Filings (of a round, of a status), oldest first."""
        query = select(Filing)
        if round_id is not None:
            query = query.where(Filing.round_id == round_id)
        if status is not None:
            query = query.where(Filing.status == status)
        return list(self.session.scalars(query.order_by(Filing.submitted_at, Filing.seq)))

    def pending_filing(self, round_id: str) -> Filing | None:
        """The round's filing waiting for the NHSA's answer, if any."""
        query = select(Filing).where(Filing.round_id == round_id, Filing.status == "pending")
        return self.session.scalars(query).first()

    def next_filing_seq(self, round_id: str) -> int:
        """The number the round's next filing gets."""
        return (self.session.scalar(select(func.max(Filing.seq)).where(Filing.round_id == round_id)) or 0) + 1

    def objections(self, round_id: str, status: str | None = None) -> list[Objection]:
        """A round's objections (of a status), oldest first."""
        query = select(Objection).where(Objection.round_id == round_id)
        if status is not None:
            query = query.where(Objection.status == status)
        return list(self.session.scalars(query.order_by(Objection.lodged_at, Objection.id)))

    def objection(self, objection_id: str) -> Objection | None:
        """One objection."""
        return self.session.get(Objection, objection_id)

    def mark_stage(self, round_id: str, stage: str, at: datetime) -> None:
        """Move a round to ``stage``."""
        self.session.execute(update(Round).where(Round.id == round_id).values(stage=stage, updated_at=at))
