"""Use cases of an application's documents (DA-2): upload (multipart), list, download, remove.

The content is checked by the domain (its media type read from its bytes, its size against
``YIBAO_ADMISSION_DOCUMENT_MAX_BYTES``) and stored once per SHA-256, however many applications use it; only those
who may see the application may download it (SV-3).
"""

from __future__ import annotations

from domain.actors import Actor
from domain.admission.categories import DocumentKind
from domain.admission.documents import check_document, clean_filename, document_kind
from domain.errors import NotFound
from storage.admission_models import ApplicationDocument, DocumentBlob
from storage.admission_repository import Applications
from storage.uow import UnitOfWork

from .. import clock
from ..context import Services
from .guards import audit, editable, visible
from .views import DocumentContent, DocumentView


def _view(link: ApplicationDocument, blob: DocumentBlob) -> DocumentView:
    kind = DocumentKind(link.kind)
    return DocumentView(link.id, kind.value, kind.label, link.filename, blob.media_type, blob.size, blob.sha256,
                        link.uploaded_by, link.uploaded_at)


def listed(uow: UnitOfWork, application_id: str) -> list[DocumentView]:
    """The documents of an application, oldest first."""
    return [_view(link, blob) for link, blob in uow.repository(Applications).documents(application_id)]


def upload_document(services: Services, actor: Actor, application_id: str, kind: object, filename: str,
                    content: bytes) -> tuple[DocumentView, bool]:
    """Attach a document to a draft or returned application; the same file again is the same document.

    Returns the document and whether it was newly attached.
    """

    material = document_kind(kind)
    name = clean_filename(filename)
    facts = check_document(content, services.settings.admission_document_max_bytes)
    with services.uow() as uow:
        row = visible(uow, actor, application_id, lock=True)
        editable(actor, row)
        apps = uow.repository(Applications)
        existing = apps.document_like(row.id, material.value, facts.sha256)
        if existing is not None:
            blob = apps.blob(facts.sha256)
            assert blob is not None  # a foreign key guarantees it
            return _view(existing, blob), False
        now = clock.now(services, uow)
        apps.store_blob(facts.sha256, facts.size, facts.media_type, content, now)
        link = ApplicationDocument(application_id=row.id, kind=material.value, filename=name, sha256=facts.sha256,
                                   uploaded_by=actor.user_id, uploaded_at=now)
        apps.add_document(link)
        uow.flush()
        audit(uow, services, row, actor, "application.document_attached",
              {"document": link.id, "kind": material.value, "sha256": facts.sha256, "size": facts.size})
        blob = apps.blob(facts.sha256)
        assert blob is not None
        result = _view(link, blob)
        uow.commit()
        return result, True


def download_document(services: Services, actor: Actor, application_id: str, document_id: str) -> DocumentContent:
    """The content of one document, for those who may see its application (404 for anyone else)."""

    with services.uow(read_only=True) as uow:
        row = visible(uow, actor, application_id)
        apps = uow.repository(Applications)
        link = apps.document(row.id, document_id)
        blob = apps.blob(link.sha256) if link is not None else None
        if link is None or blob is None:
            raise NotFound(f"no document {document_id} of this application", code="document_not_found")
        return DocumentContent(link.filename, blob.media_type, bytes(blob.content), blob.sha256)


def remove_document(services: Services, actor: Actor, application_id: str, document_id: str) -> None:
    """Detach a document from a draft or returned application (its content stays for others who use it)."""

    with services.uow() as uow:
        row = visible(uow, actor, application_id, lock=True)
        editable(actor, row)
        apps = uow.repository(Applications)
        link = apps.document(row.id, document_id)
        if link is None:
            raise NotFound(f"no document {document_id} of this application", code="document_not_found")
        apps.remove_document(link)
        audit(uow, services, row, actor, "application.document_removed", {"document": document_id})
        uow.commit()
