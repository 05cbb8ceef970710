"""Consumable admission (医保医用耗材目录准入): applications, their documents and the bureau's reviews.

Each human step is also a task of the queue (``/tasks``); the step's data shape is the form named by the task.
Rounds, filings, objections and publications are in ``admission_rounds``.
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from marshmallow import RAISE

from domain.errors import InvalidInput, NotFound
from workflows.admission import applications, documents

from .admission_schemas import (
    UUID,
    ApplicationOut,
    ApplicationPageOut,
    ApplicationQuery,
    DocumentIn,
    DocumentOut,
    FactsIn,
    FastPathIn,
    FileIn,
    MaterialReviewIn,
    WithdrawIn,
)
from .auth import current_actor
from .blueprint import Blueprint
from .services import services

blp = Blueprint("admission", __name__, url_prefix="/admission",
                description="Consumable catalog admission (医保医用耗材目录准入): applications and documents")
_UUID = re.compile(UUID)
MAX_FILENAME_BYTES = 1024


def object_id(value: str, what: str) -> str:
    """A path id: anything that is not an id names no object (404, never a database error)."""
    if not _UUID.fullmatch(value):
        raise NotFound(f"no {what} {value[:40]!r}", code=f"{what}_not_found")
    return value


@blp.route("/applications")
class Applications(MethodView):
    @blp.arguments(ApplicationQuery, location="query", unknown=RAISE)
    @blp.response(200, ApplicationPageOut)
    def get(self, query: dict[str, Any]) -> Any:
        """List the applications the caller may see: a hospital its own, an expert its candidates', the bureau all."""
        return applications.list_applications(services(), current_actor(), query.get("status"),
                                              query.get("round_id"), query["limit"], query["offset"])

    @blp.arguments(FactsIn)
    @blp.response(201, ApplicationOut)
    def post(self, facts: dict[str, Any]) -> Any:
        """Start a draft application of the caller's hospital; every field may still be empty (DA-2)."""
        return applications.create_application(services(), current_actor(), facts)


@blp.route("/applications/<application_id>")
class Application(MethodView):
    @blp.response(200, ApplicationOut)
    def get(self, application_id: str) -> Any:
        """Show an application the caller may see (404 otherwise, SV-3), with its outcome and reason (DA-9)."""
        return applications.get_application(services(), current_actor(), object_id(application_id, "application"))

    @blp.arguments(FactsIn)
    @blp.response(200, ApplicationOut)
    def put(self, facts: dict[str, Any], application_id: str) -> Any:
        """Replace the facts of a draft or of an application returned for supplement."""
        return applications.update_application(services(), current_actor(),
                                               object_id(application_id, "application"), facts)


@blp.route("/applications/<application_id>/submission")
class Submission(MethodView):
    @blp.response(200, ApplicationOut)
    def post(self, application_id: str) -> Any:
        """Submit the recorded application (or its supplement); the automatic pre-check runs at once."""
        return applications.submit_application(services(), current_actor(), object_id(application_id, "application"))


@blp.route("/applications/<application_id>/withdrawal")
class Withdrawal(MethodView):
    @blp.arguments(WithdrawIn)
    @blp.response(200, ApplicationOut)
    def post(self, body: dict[str, Any], application_id: str) -> Any:
        """Withdraw the hospital's application, until its round's review starts."""
        return applications.withdraw_application(services(), current_actor(),
                                                 object_id(application_id, "application"), body["reason"])


@blp.route("/applications/<application_id>/fast-path")
class FastPath(MethodView):
    @blp.arguments(FastPathIn)
    @blp.response(200, ApplicationOut)
    def post(self, body: dict[str, Any], application_id: str) -> Any:
        """The bureau confirms (or not) the same function and use as the existing entry (DA-4)."""
        return applications.confirm_fast_path(services(), current_actor(), object_id(application_id, "application"),
                                              body["same_function_and_use"], body["note"])


@blp.route("/applications/<application_id>/material-review")
class MaterialReview(MethodView):
    @blp.arguments(MaterialReviewIn)
    @blp.response(200, ApplicationOut)
    def post(self, body: dict[str, Any], application_id: str) -> Any:
        """The bureau accepts the application into a round, rejects it, or returns it for supplement (DA-10)."""
        return applications.review_materials(services(), current_actor(), object_id(application_id, "application"),
                                             body["decision"], body["reason"], body["supplement_working_days"])


@blp.route("/applications/<application_id>/documents")
class Documents(MethodView):
    @blp.response(200, DocumentOut(many=True))
    def get(self, application_id: str) -> Any:
        """List an application's documents."""
        return applications.get_application(services(), current_actor(),
                                            object_id(application_id, "application")).documents

    @blp.arguments(DocumentIn, location="form")
    @blp.arguments(FileIn, location="files")
    @blp.response(201, DocumentOut)
    @blp.alt_response(200, schema=DocumentOut, description="the same file was attached already")
    def post(self, form: dict[str, Any], files: dict[str, Any], application_id: str) -> Any:
        """Attach a document (multipart: `kind` and `file`); its type is read from its content; stored once."""
        upload = files["file"]
        try:  # a large upload is spooled to a temporary file: close it whatever happens
            name = upload.filename or ""
            if len(name.encode("utf-8", "surrogatepass")) > MAX_FILENAME_BYTES:
                raise InvalidInput("the file name is too long", field="file")
            content = upload.read()
        finally:
            upload.close()
        document, created = documents.upload_document(services(), current_actor(),
                                                      object_id(application_id, "application"), form["kind"],
                                                      name, content)
        return document, 201 if created else 200


@blp.route("/applications/<application_id>/documents/<document_id>")
class Document(MethodView):
    @blp.response(200, description="the file, with its detected media type")
    def get(self, application_id: str, document_id: str) -> Response:
        """Download a document, for those who may see its application (404 for anyone else)."""
        found = documents.download_document(services(), current_actor(), object_id(application_id, "application"),
                                            object_id(document_id, "document"))
        response = send_file(io.BytesIO(found.content), mimetype=found.media_type, as_attachment=True,
                             download_name=found.filename, etag=found.sha256)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @blp.response(204)
    def delete(self, application_id: str, document_id: str) -> None:
        """Detach a document from a draft or returned application."""
        documents.remove_document(services(), current_actor(), object_id(application_id, "application"),
                                  object_id(document_id, "document"))

# What the app factory registers for this process (api/__init__.py SLICES).
BLUEPRINTS = (blp,)
