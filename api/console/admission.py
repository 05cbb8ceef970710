"""The admission pages of the console (准入申请): a hospital officer's applications, the draft with its documents,
submission after the automatic pre-check, supplement and withdrawal. The expert's and the NHSA's pages are in
``admission_review``; all of them call the use cases of ``workflows.admission`` as the JSON API does."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, flash, redirect, request, send_file, url_for

from domain.errors import InvalidInput, PolicyViolation, YibaoError
from workflows.admission import applications, documents, rounds

from ..admission import MAX_FILENAME_BYTES
from ..services import services
from . import admission_forms as forms
from . import admission_objections, admission_review, admission_rounds, nav, session
from .admission_common import APPLICATION_STATUS, WITHDRAWABLE, application_id, blp, page, refusal, text_error
from .session import login_required

PAGE_SIZE = 20
EDITABLE = ("draft", "supplement_requested")

nav.add("准入申请", "console_admission.applications", roles=("hospital_officer",), order=35)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1


@blp.route("/applications", endpoint="applications")
@login_required
def applications_list() -> Any:
    """My hospital's applications, newest first, filtered by status, 20 a page."""
    status = request.args.get("status", "")
    status = status if status in APPLICATION_STATUS else ""
    number = _page_number()
    found = applications.list_applications(services(), session.actor(), status or None, limit=PAGE_SIZE,
                                           offset=(number - 1) * PAGE_SIZE)
    names = {r.id: r.name for r in rounds.list_rounds(services(), session.actor())}
    pages = max(1, -(-found.total // PAGE_SIZE))
    return page("list.html", found=found, selected=status, number=number, pages=pages, round_names=names,
                statuses=APPLICATION_STATUS)



def _form_page(view: Any, values: dict[str, str], errors: dict[str, str], status: int = 200,
               findings: list[dict[str, str]] | None = None, top: str | None = None) -> Any:
    shown = findings if findings is not None else (view.findings if view is not None else [])
    return page("application.html", status, app=view, fields=forms.FIELDS, values=values, errors=errors,
                findings=forms.findings_by_field(shown), kinds=forms.DOCUMENT_KINDS, top=top,
                rows=forms.item_rows(values), statuses=APPLICATION_STATUS, editable=view is None or (
                    view.status in EDITABLE and view.submission is not None), withdrawable=WITHDRAWABLE,
                prechecked=findings is not None)


@blp.route("/applications/new", methods=["GET", "POST"])
@login_required
def new_application() -> Any:
    """The application form; posting it saves a draft of my hospital (create_application)."""
    if request.method == "GET":
        return _form_page(None, {}, {})
    facts, errors = forms.facts_of(request.form)
    if errors:
        return _form_page(None, dict(request.form), errors, 422)
    view = applications.create_application(services(), session.actor(), facts)
    flash("已保存草稿")
    return redirect(url_for("console_admission.application", app_id=view.id))


@blp.route("/applications/<app_id>", methods=["GET", "POST"])
@login_required
def application(app_id: str) -> Any:
    """One application: its facts, documents, step and outcome; a draft's (or a returned one's) form saves it."""
    actor, app_id = session.actor(), application_id(app_id)
    view = applications.get_application(services(), actor, app_id)
    if request.method == "GET":
        return _form_page(view, forms.values_of(view.facts), {})
    facts, errors = forms.facts_of(request.form)
    if errors:
        return _form_page(view, dict(request.form), errors, 422)
    view = applications.update_application(services(), actor, app_id, facts)
    flash("已保存" + (f"，尚有 {len(view.findings)} 项需修改" if view.findings else ""))
    return redirect(url_for("console_admission.application", app_id=app_id))


@blp.route("/applications/<app_id>/submission", methods=["POST"])
@login_required
def submit(app_id: str) -> Any:
    """Submit (or resubmit after 补正) once the automatic pre-check finds nothing; else show every finding."""
    actor, app_id = session.actor(), application_id(app_id)
    findings = applications.precheck_application(services(), actor, app_id)
    view = applications.get_application(services(), actor, app_id)
    if findings:
        return _form_page(view, forms.values_of(view.facts), {}, 422, findings=findings,
                          top=f"自动预审未通过，共 {len(findings)} 项，请修改后再提交（申请未提交）")
    try:
        view = applications.submit_application(services(), actor, app_id)
    except PolicyViolation as exc:
        return _form_page(view, forms.values_of(view.facts), {}, 422, top=refusal(exc))
    flash(f"已提交，当前状态：{APPLICATION_STATUS.get(view.status, view.status)}")
    return redirect(url_for("console_admission.application", app_id=app_id))


@blp.route("/applications/<app_id>/documents", methods=["POST"])
@login_required
def upload(app_id: str) -> Any:
    """Attach a document (multipart: kind and file) through upload_document."""
    actor, app_id = session.actor(), application_id(app_id)
    view = applications.get_application(services(), actor, app_id)
    kind, upload_file = request.form.get("kind", ""), request.files.get("file")
    error = None
    if kind not in {k for k, _ in forms.DOCUMENT_KINDS}:
        error = "请选择材料类型"
    elif upload_file is None or not upload_file.filename:
        error = "请选择要上传的文件"
    elif len(upload_file.filename.encode("utf-8", "surrogatepass")) > MAX_FILENAME_BYTES:
        error = "文件名过长"
    if error is None and upload_file is not None:
        try:
            content = upload_file.read()
            _doc, created = documents.upload_document(services(), actor, app_id, kind, upload_file.filename or "",
                                                      content)
        except (InvalidInput, PolicyViolation) as exc:
            error = _upload_message(exc)
        else:
            flash("已上传" if created else "该文件已上传过")
            return redirect(url_for("console_admission.application", app_id=app_id) + "#documents")
        finally:
            upload_file.close()
    return _form_page(view, forms.values_of(view.facts), {"file": error or ""}, 422)


def _upload_message(exc: YibaoError) -> str:
    rule = f"（{exc.rule}）" if exc.rule else ""
    known = {"empty_document": "文件为空，请选择有内容的文件",
             "document_too_large": f"文件过大，最大 {int(exc.extra.get('max_bytes', 0)) // 1024} KB",
             "unsupported_document_type": "仅支持 PDF、JPEG、PNG 或 OFD 文件（按文件内容识别）",
             "invalid_filename": "文件名无效"}
    return known.get(exc.code, refusal(exc)) + rule


@blp.route("/applications/<app_id>/documents/<document_id>")
@login_required
def download(app_id: str, document_id: str) -> Response:
    """Download a document, for those who may see its application (404 for anyone else)."""
    found = documents.download_document(services(), session.actor(), application_id(app_id),
                                        admission_review.document_id(document_id))
    response = send_file(io.BytesIO(found.content), mimetype=found.media_type, as_attachment=True,
                         download_name=found.filename, etag=found.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/applications/<app_id>/documents/<document_id>/removal", methods=["POST"])
@login_required
def remove(app_id: str, document_id: str) -> Any:
    """Detach a document from a draft or returned application."""
    app_id = application_id(app_id)
    documents.remove_document(services(), session.actor(), app_id, admission_review.document_id(document_id))
    flash("已删除材料")
    return redirect(url_for("console_admission.application", app_id=app_id) + "#documents")


@blp.route("/applications/<app_id>/withdrawal", methods=["POST"])
@login_required
def withdraw(app_id: str) -> Any:
    """Withdraw the application with a reason, until its round's review starts."""
    actor, app_id = session.actor(), application_id(app_id)
    reason = request.form.get("reason", "").strip()
    error = text_error(reason, "撤回理由", 2000, required=True)
    if error is None:
        try:
            applications.withdraw_application(services(), actor, app_id, reason)
        except PolicyViolation as exc:
            error = refusal(exc)
        else:
            flash("已撤回申请")
            return redirect(url_for("console_admission.application", app_id=app_id))
    view = applications.get_application(services(), actor, app_id)
    return _form_page(view, forms.values_of(view.facts), {"reason": error}, 422)


BLUEPRINTS = [blp, *admission_rounds.BLUEPRINTS, *admission_objections.BLUEPRINTS]
