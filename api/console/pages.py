"""The logged-in console: login and logout, the queue (home), a task with its form, a process instance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from domain.dates import CHINA_TZ
from domain.errors import Conflict, Forbidden, InvalidInput, LoginThrottled, NotFound, Unauthenticated, YibaoError
from domain.permissions import sees_all_organizations
from workflows import definitions, identity, instances, saved_filters, task_drafts, task_forms, tasks

from ..services import services
from . import forms, nav, queue, session
from .display import china_time, yuan
from .protect import check_csrf, check_encoding
from .session import login_required

TABS = ("form", "data", "history")  # the task page's tabs: its form, the instance's data, its history
STATUS = ((NotFound, 404), (Forbidden, 403), (Conflict, 409))
ROLES = {"admin": "系统管理员", "bureau_officer": "医保局经办", "auditor": "审计员", "nhsa_officer": "国家医保局",
         "hospital_officer": "医院医保办", "physician": "医师", "pharmacist": "药师", "expert": "评审专家"}
STATUS_TEXT = {"open": "待领取", "claimed": "办理中", "completed": "已办结", "cancelled": "已取消",
               "waiting": "审批中", "running": "运行中", "finished": "已完成", "error": "异常"}


def context() -> dict[str, Any]:
    """What every console template may use: the logged-in user (or None), their menu, Chinese names of roles and
    statuses, ``yuan`` for money and ``china_time`` for instants."""
    actor = session.current()
    return {"console_user": g.get("console_user"), "role_text": ROLES, "status_text": STATUS_TEXT,
            "nav_items": nav.for_roles(actor.roles if actor else None), "yuan": yuan, "china_time": china_time}


def _failed(exc: YibaoError) -> Any:
    # The use cases answer NotFound for what another organization's user may not see: no hint that it exists.
    status = next((s for cls, s in STATUS if isinstance(exc, cls)), 422)
    message = {404: "未找到该页面或无权查看", 403: "无权执行该操作", 409: "操作冲突：" + exc.detail}.get(
        status, "操作未完成：" + exc.detail)
    return render_template("error.html", status=status, message=message, code=exc.code), status


def _csrf(exc: CSRFError) -> Any:
    return render_template("error.html", status=400, message="表单已失效或缺少安全令牌，请刷新页面后重试",
                           code="csrf_failed"), 400


def _http(exc: HTTPException) -> Any:
    status = exc.code or 500
    return render_template("error.html", status=status, message=exc.description, code="http_error"), status


def console_blueprint(name: str, import_name: str, url_prefix: str, **options: Any) -> Blueprint:
    """A console blueprint as every console page needs it: CSRF and the text encoding checked on each POST, the
    common template context, and errors of the use cases shown as the console's error page (404 for what the
    caller may not see)."""
    made = Blueprint(name, import_name, url_prefix=url_prefix, template_folder="templates", **options)
    made.before_request(check_encoding)  # first: it reads the body before the form parser does
    made.before_request(check_csrf)
    made.context_processor(context)
    made.register_error_handler(YibaoError, _failed)
    made.register_error_handler(CSRFError, _csrf)
    made.register_error_handler(HTTPException, _http)
    return made


blp = console_blueprint("console", __name__, "/console", static_folder="static", static_url_path="/static")


@blp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the login form; log in with the API's login use case."""
    error = None
    if request.method == "POST":
        try:
            session.start(request.form.get("username", "").strip(), request.form.get("password", ""))
        except LoginThrottled as exc:
            error = f"登录失败次数过多，请 {exc.extra.get('retry_after', 1)} 秒后再试"
        except (Unauthenticated, YibaoError):
            error = "用户名或密码错误"
        else:
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/console/") else url_for("console.home"))
    status = 401 if error else 200
    return render_template("login.html", error=error, username=request.form.get("username", "")), status


@blp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out: revoke the session's token."""
    session.end()
    return redirect(url_for("console.login"))


@blp.route("/")
@login_required
def home() -> Any:
    """The caller's queue: the tasks they may see, filtered, sorted and paged; counts per stage; overdue marked;
    their saved filters."""
    actor = session.actor()
    orgs = {o.id: o.name for o in identity.list_organizations(services())}
    q = queue.read(request.args, actor, ROLES, orgs)
    now = tasks.overdue_filter(services())
    page = tasks.list_tasks(services(), actor, q.task_filter(actor, now), sort=q.sort, limit=queue.PAGE,
                            offset=q.offset)
    stages = tasks.stage_counts(services(), actor, q.task_filter(actor, now))
    processes = sorted({d.key for d in definitions.list_definitions(services())})
    pages = max(1, -(-page.total // queue.PAGE))
    return render_template(
        "home.html", tasks=page.items, total=page.total, stages=stages, now=now, me=actor.user_id,
        q=q, pages=pages, processes=processes, orgs=orgs, sees_all=sees_all_organizations(actor),
        saved_filters=saved_filters.list_filters(services(), actor), status_labels=queue.STATUS_LABELS,
        sort_labels=queue.SORT_LABELS,
    ), 422 if q.errors else 200


@blp.route("/filters", methods=["POST"])
@login_required
def save_filter() -> Any:
    """Save the current filters under a name (kept with the user; at most ten)."""
    query = request.form.get("query", "")
    try:
        saved_filters.save_filter(services(), session.actor(), request.form.get("name", ""), query)
    except InvalidInput as exc:
        flash(queue.FILTER_REFUSALS.get(exc.code, "无法保存该筛选"))
        query = ""
    else:
        flash("已保存筛选")
    return redirect(url_for("console.home") + ("?" + query if query else ""))


@blp.route("/filters/delete", methods=["POST"])
@login_required
def delete_filter() -> Any:
    """Forget a saved filter."""
    saved_filters.delete_filter(services(), session.actor(), request.form.get("name", ""))
    flash("已删除筛选")
    return redirect(url_for("console.home"))


@blp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str) -> Response:
    """Take an open task."""
    tasks.claim(services(), session.actor(), task_id)
    flash("已领取任务")
    return redirect(request.form.get("next") or url_for("console.task", task_id=task_id))  # type: ignore[return-value]


@blp.route("/tasks/<task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id: str) -> Response:
    """Put a claimed task back in its queue."""
    tasks.unclaim(services(), session.actor(), task_id)
    flash("已退回任务池")
    return redirect(url_for("console.home"))  # type: ignore[return-value]


@blp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str) -> Any:
    """A task with its form; posting the form checks it field by field, then completes the task. 保存草稿 keeps
    the typed values unchecked for the caller, and the page shows them again until the task is completed. The tabs
    (``?tab=data``, ``?tab=history``) show the instance's data the caller may read and its history."""
    actor = session.actor()
    found = task_forms.task_form(services(), actor, task_id)
    schema = found.schema or {}
    values: MultiDict[str, str] = MultiDict()
    errors: dict[str, str] = {}
    adding = False
    draft = task_drafts.get_draft(services(), actor, task_id)
    if request.method == "GET" and draft is not None:
        values = MultiDict([(name, v) for name, given in draft[0].items() for v in given])
    if request.method == "POST" and "_draft" in request.form:
        kept = {k: v for k, v in request.form.to_dict(flat=False).items() if k not in ("csrf_token", "_draft")}
        try:
            task_drafts.save_draft(services(), actor, task_id, kept)
        except InvalidInput:
            errors[""] = "草稿过大或含有不允许的控制字符，未保存"
            values = request.form
        else:
            flash("已保存草稿（尚未提交）")
            return redirect(url_for("console.task", task_id=task_id))
    elif request.method == "POST":
        values = request.form
        adding = bool(request.form.get(forms.ADD))  # "添加一行": re-render with one more row, complete nothing
        data, errors = forms.data_of(schema, request.form)
        if not errors and not adding:
            errors = forms.messages_of(schema, task_forms.form_errors(services(), actor, task_id, data),
                                       request.form)
        if not errors and not adding:
            tasks.complete(services(), actor, task_id, data)
            task_drafts.discard_drafts(services(), task_id)
            flash(f"已提交：{found.task.name}")
            return redirect(url_for("console.instance", instance_id=found.task.instance_id))
    tab = request.args.get("tab", "form") if request.method == "GET" else "form"
    if tab not in TABS:
        return render_template("error.html", status=422, message="没有该页签：可选 " + "、".join(TABS),
                               code="unknown_tab"), 422
    view = instances.get_instance(services(), actor, found.task.instance_id) if tab == "data" else None
    history = instances.instance_history(services(), actor, found.task.instance_id) if tab == "history" else []
    fields, skipped = forms.fields_of(schema, values)
    return render_template("task.html", task=found.task, schema=schema, fields=fields, skipped=skipped,
                           values=values, errors=errors, me=actor.user_id, tab=tab, instance=view, history=history,
                           draft_saved_at=draft[1].astimezone(CHINA_TZ) if draft else None), 422 if errors else 200


@blp.route("/instances/<instance_id>")
@login_required
def instance(instance_id: str) -> str:
    """A process instance: its diagram with the active and completed steps marked, its tasks and audit trail."""
    actor = session.actor()
    view = instances.get_instance(services(), actor, instance_id)
    history = instances.instance_history(services(), actor, instance_id)
    return render_template("instance.html", instance=view, history=history)


@blp.route("/instances/<instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: str) -> Response:
    """The BPMN XML of the version an instance runs on (for bpmn-js)."""
    view = instances.get_instance(services(), session.actor(), instance_id)
    text = definitions.get_definition(services(), view.definition_id).bpmn_text
    if text is None:
        raise NotFound("the diagram of this version is missing", code="definition_not_found")
    return Response(text, mimetype="application/xml")
