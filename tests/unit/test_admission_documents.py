"""An application's documents are judged by their content: PDF, JPEG, PNG or OFD, within the size limit (DA-2)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from domain.admission.categories import DocumentKind
from domain.admission.documents import (
    JPEG,
    OFD,
    PDF,
    PNG,
    check_document,
    clean_filename,
    document_kind,
    media_type,
)
from domain.errors import InvalidInput, PolicyViolation

from ..admission_support import JPEG as JPEG_BYTES
from ..admission_support import PDF as PDF_BYTES
from ..admission_support import PNG as PNG_BYTES
from ..admission_support import ofd


def zip_of(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in names:
            package.writestr(name, b"x")
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "expected"), [
    (PDF_BYTES, PDF), (JPEG_BYTES, JPEG), (PNG_BYTES, PNG), (ofd(), OFD),
    (zip_of("Doc_0/OFD.xml"), None),  # OFD.xml must be at the package's root
    (zip_of("word/document.xml"), None),  # a .docx is a ZIP too
    (b"PK\x03\x04 not really a zip", None), (b"GIF89a", None), (b"<html>", None), (b"%PD", None),
])
def test_da2_the_media_type_comes_from_the_content(content: bytes, expected: str | None) -> None:
    assert media_type(content) == expected


def test_da2_a_checked_document_has_its_digest_size_and_type() -> None:
    facts = check_document(PDF_BYTES, 1000)
    assert facts.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert (facts.size, facts.media_type) == (len(PDF_BYTES), PDF)


def test_da2_an_oversized_empty_or_unknown_file_is_refused_naming_the_rule() -> None:
    with pytest.raises(PolicyViolation) as too_big:
        check_document(PDF_BYTES, len(PDF_BYTES) - 1)
    assert (too_big.value.code, too_big.value.rule, too_big.value.extra["max_bytes"]) == (
        "document_too_large", "DA-2", len(PDF_BYTES) - 1)
    with pytest.raises(InvalidInput) as empty:
        check_document(b"", 1000)
    assert empty.value.code == "empty_document"
    with pytest.raises(PolicyViolation) as unknown:
        check_document(b"MZ\x90\x00 an executable", 1000)
    assert unknown.value.code == "unsupported_document_type"


@pytest.mark.parametrize(("given", "kept"), [
    ("申请书.pdf", "申请书.pdf"), ("../../etc/passwd", "passwd"), ("C:\\docs\\说明书.pdf", "说明书.pdf"),
    ("a\x00b\u202e.pdf", "ab.pdf"), (".hidden", "hidden"), ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
])
def test_a_file_name_keeps_no_path_or_control_characters(given: str, kept: str) -> None:
    assert clean_filename(given) == kept


@pytest.mark.parametrize("given", ["", "   ", "/", "\x00"])
def test_a_file_needs_a_name(given: str) -> None:
    with pytest.raises(InvalidInput):
        clean_filename(given)


def test_da2_a_document_is_one_of_the_kinds_of_material() -> None:
    assert document_kind("instructions") is DocumentKind.INSTRUCTIONS
    for bad in ("passport", None, 3):
        with pytest.raises(InvalidInput) as refused:
            document_kind(bad)
        assert (refused.value.field, refused.value.rule) == ("kind", "DA-2")
