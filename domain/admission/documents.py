"""The documents of an application (申请材料, DA-2): what a file is, judged from its content, never from its name.

Accepted formats: PDF, JPEG, PNG and OFD (the Chinese fixed-layout format GB/T 33190: a ZIP package whose root
holds ``OFD.xml``). The media type is detected from the first bytes (and, for a ZIP, its directory); a file whose
content is none of these is refused, whatever its name or declared type says. The size limit is a setting of the
caller. The SHA-256 identifies the content: the same file uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from domain.admission.categories import DocumentKind
from domain.errors import InvalidInput, PolicyViolation

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
OFD = "application/ofd"
MEDIA_TYPES = (PDF, JPEG, PNG, OFD)
_ZIP = b"PK\x03\x04"
_MAX_ZIP_ENTRIES = 10_000  # reading the directory of a larger package is not worth it: it is not an OFD we accept
MAX_FILENAME = 255


@dataclass(frozen=True)
class DocumentFacts:
    """What the service knows of an uploaded file: its digest, size and detected media type."""

    sha256: str
    size: int
    media_type: str


def _is_ofd(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return False
    return len(names) <= _MAX_ZIP_ENTRIES and "OFD.xml" in names


def media_type(content: bytes) -> str | None:
    """The media type of ``content`` from its magic bytes (PDF, JPEG, PNG, OFD), or None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(_ZIP) and _is_ofd(content):
        return OFD
    return None


def document_kind(value: object) -> DocumentKind:
    """The kind of material a document is (DA-2), refusing anything else with the kinds allowed."""
    if isinstance(value, str):
        try:
            return DocumentKind(value)
        except ValueError:
            pass
    allowed = ", ".join(k.value for k in DocumentKind)
    raise InvalidInput(f"kind must be one of {allowed}", code="invalid_document_kind", field="kind", rule="DA-2")


def clean_filename(name: str) -> str:
    """A file name safe to store and to send back: no path, no control characters, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    if not cleaned:
        raise InvalidInput("the file needs a name", code="invalid_filename", field="file")
    if len(cleaned) > MAX_FILENAME:
        _stem, dot, ext = cleaned.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        cleaned = cleaned[: MAX_FILENAME - len(keep) - 1] + ("." + keep if keep else "")
    return cleaned


def check_document(content: bytes, max_bytes: int) -> DocumentFacts:
    """Refuse an empty, oversized or unrecognised file (DA-2); else its SHA-256, size and media type."""
    if not content:
        raise InvalidInput("the file is empty", code="empty_document", field="file", rule="DA-2")
    if len(content) > max_bytes:
        raise PolicyViolation(f"the file is {len(content)} bytes, more than the limit of {max_bytes}",
                              code="document_too_large", field="file", rule="DA-2",
                              extra={"max_bytes": max_bytes})
    detected = media_type(content)
    if detected is None:
        raise PolicyViolation("the content is not a PDF, JPEG, PNG or OFD file", code="unsupported_document_type",
                              field="file", rule="DA-2", extra={"accepted": list(MEDIA_TYPES)})
    return DocumentFacts(hashlib.sha256(content).hexdigest(), len(content), detected)
