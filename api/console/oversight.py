"""Oversight pages: the auditor's audit log with its filters and the chain verification (SV-2), the
administrator's queues (role × organization, ACC-13) with reassignment (ACC-12), incidents with retry (ACC-6) and
the deployed diagram versions (ACC-7). Each page calls the use case the JSON API calls; the use case checks who
may."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from domain.errors import DiagramRejected, InvalidInput
from domain.text import IDENTIFIER_PATTERN
from workflows import audit, definitions, identity, instances, tasks

from ..services import services
from . import nav, session
from .pages import console_blueprint
from .session import login_required

blp = console_blueprint("console_oversight", __name__, "/console")
BLUEPRINTS = [blp]
AUDIT_PAGE = 50
IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
AUDIT_KEYS = ("aggregate_type", "aggregate_id", "action", "since", "until", "page")
CHINA = timedelta(hours=8)  # the dates a user types are China's calendar days

nav.add("审计日志", "console_oversight.audit_log", roles=("auditor", "admin"), order=80)
nav.add("队列总览", "console_oversight.queues", roles=("admin", "bureau_officer"), order=85)
nav.add("异常处理", "console_oversight.incidents", roles=("admin",), order=86)
nav.add("流程版本", "console_oversight.definitions_page", roles=("admin",), order=87)


def _day(value: str, field: str, errors: dict[str, str], end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[field] = "日期格式应为 YYYY-MM-DD"
        return None
    if not 1900 <= day.year <= 9998:
        errors[field] = "日期应在 1900 年至 9998 年之间"
        return None
    return datetime.combine(day, time.max if end else time.min).replace(tzinfo=UTC) - CHINA


@blp.route("/audit")
@login_required
def audit_log() -> Any:
    """The audit log, newest first or one chain in order, filtered (auditors and administrators)."""
    args = request.args
    errors = {name: f"不支持的查询参数：{name[:40]}" for name in args if name not in AUDIT_KEYS}
    values = {k: args.get(k, "").strip() for k in AUDIT_KEYS}
    ids: dict[str, str | None] = {}
    for name in ("aggregate_type", "aggregate_id", "action"):
        given = values[name]
        if given and not (len(given) <= 200 and IDENTIFIER.fullmatch(given)):
            errors[name] = "不能含不可见字符，最多200个字符"
        ids[name] = given if given and name not in errors else None
    since = _day(values["since"], "since", errors)
    until = _day(values["until"], "until", errors, end=True)
    page = int(values["page"]) if values["page"].isascii() and values["page"].isdigit() else 0
    if values["page"] and not 1 <= page <= 100_000:
        errors["page"] = "页码应为正整数"
    page = page if 1 <= page <= 100_000 else 1
    found = audit.read_audit(services(), session.actor(), since=since, until=until, limit=AUDIT_PAGE,
                             offset=(page - 1) * AUDIT_PAGE, **ids)
    pages = max(1, -(-found.total // AUDIT_PAGE))
    kept = {k: v for k, v in values.items() if v and k not in errors and k != "page"}
    return render_template("oversight/audit.html", entries=found.items, total=found.total, page=page, pages=pages,
                           values=values, errors=errors, kept=kept), 422 if errors else 200


@blp.route("/audit/verification", methods=["POST"])
@login_required
def verification() -> Any:
    """Verify every chain, instance head and checkpoint now (SV-2); show what was checked and each problem."""
    report = audit.verify_for(services(), session.actor())
    return render_template("oversight/verification.html", report=report)


@blp.route("/admin/queues")
@login_required
def queues() -> Any:
    """Every queue (role × organization) with its open and claimed counts."""
    counts = tasks.counts(services(), session.actor())
    table: dict[tuple[str, str | None], dict[str, Any]] = {}
    for c in counts:
        row = table.setdefault((c.lane_role, c.org_scope), {"role": c.lane_role, "org": c.org_scope,
                                                            "org_name": c.org_name or "（不分机构）"})
        row[c.status] = c.count
    return render_template("oversight/queues.html", rows=list(table.values()))


@blp.route("/admin/tasks/<task_id>/assignment", methods=["GET", "POST"])
@login_required
def reassign(task_id: str) -> Any:
    """Assign a task to a user who may work it (administrators, bureau officers; ACC-12)."""
    actor = session.actor()
    task = tasks.get_task(services(), actor, task_id)
    users = [u for u in identity.list_users(services(), actor) if u.role == task.lane_role]
    error = None
    if request.method == "POST":
        try:
            tasks.assign(services(), actor, task_id, request.form.get("user_id", ""))
        except InvalidInput as exc:
            error = {"unknown_user": "请选择一个有效的用户", "not_eligible": "该用户的岗位或机构与任务不符"}.get(
                exc.code, exc.detail)
        else:
            flash(f"已指派：{task.name}")
            return redirect(url_for("console.instance", instance_id=task.instance_id))
    return render_template("oversight/assign.html", task=task, users=users, error=error), 422 if error else 200


@blp.route("/admin/incidents")
@login_required
def incidents() -> Any:
    """Incidents, newest first, open ones with a retry button (administrators; ACC-6)."""
    status = request.args.get("status", "open")
    error = None
    if status not in ("open", "resolved", "all"):
        error, status = "状态只能是 open、resolved 或 all", "open"
    found = instances.list_incidents(services(), session.actor(), None if status == "all" else status, limit=200)
    return render_template("oversight/incidents.html", incidents=found, status=status, error=error), (
        422 if error else 200)


@blp.route("/admin/incidents/<incident_id>/retry", methods=["POST"])
@login_required
def retry(incident_id: str) -> Response:
    """Retry the failed step of an incident's instance."""
    view = instances.retry_incident(services(), session.actor(), incident_id)
    flash("已重试，流程继续运行")
    return redirect(url_for("console.instance", instance_id=view.id))  # type: ignore[return-value]


@blp.route("/admin/definitions", methods=["GET", "POST"])
@login_required
def definitions_page() -> Any:
    """Every deployed diagram version; an administrator deploys a new one from a .bpmn file (ACC-7)."""
    actor = session.actor()
    error = None
    if request.method == "POST":
        upload = request.files.get("bpmn")
        raw = upload.read(definitions.MAX_BPMN_BYTES + 1) if upload else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            error = "文件不是 UTF-8 编码的 BPMN"
        else:
            try:
                forms = definitions.forms_with_defaults(services(), {})
                result = definitions.deploy(services(), actor, text, upload.filename if upload else None, forms)
            except InvalidInput as exc:
                error = {"empty_diagram": "请选择一个 BPMN 文件",
                         "diagram_too_large": "文件过大"}.get(exc.code, "部署被拒绝：" + exc.detail)
            except DiagramRejected as exc:
                error = "流程图被拒绝：" + exc.detail
            else:
                d = result.definition
                flash(f"已部署 {d.key} 第 {d.version} 版" if result.created else f"{d.key} 已是该版本，未重复部署")
                return redirect(url_for("console_oversight.definitions_page"))
    found = definitions.list_definitions(services())
    return render_template("oversight/definitions.html", definitions=found, error=error), 422 if error else 200


@blp.route("/admin/definitions/<definition_id>")
@login_required
def definition(definition_id: str) -> Any:
    """One deployed version drawn by bpmn-js, with its user tasks."""
    found = definitions.get_definition(services(), definition_id)
    return render_template("oversight/definition.html", definition=found)


@blp.route("/admin/definitions/<definition_id>/diagram.bpmn")
@login_required
def definition_xml(definition_id: str) -> Response:
    """The BPMN XML of a deployed version (administrators)."""
    text = definitions.get_definition(services(), definition_id).bpmn_text or ""
    return Response(text, mimetype="application/xml")
