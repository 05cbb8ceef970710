"""The console's admission pages through the real app on both backends: a hospital officer's applications, the
draft form (shape errors beside their fields, nothing stored), documents (DA-2), submission after the automatic
pre-check (findings beside their fields with their rule, nothing changed), withdrawal; an expert's candidates only
(SV-3); the NHSA's filings (DA-6); another hospital's objects answer 404; a POST without its CSRF token 400."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from workflows.admission import applications, rounds
from workflows.context import Services

from ..admission_support import JPEG, NEW_ENTRY, OTHER_NEW_ENTRY, PDF, actor, facts
from ..console_admission_support import AdmissionWorld, build_admission, drafted, file_with_nhsa
from ..console_support import ConsoleWorld, build_console_world
from .test_console_pages import csrf_of, logged_in

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def console_world(services: Services) -> ConsoleWorld:
    return build_console_world(services)


@pytest.fixture
def admission(services: Services, console_world: ConsoleWorld) -> AdmissionWorld:
    return build_admission(services, console_world.world)


@pytest.fixture
def app(services: Services, admission: AdmissionWorld) -> Flask:
    return create_app(services=services)


def nav_of(page: str) -> str:
    found = re.search(r"<nav>(.*?)</nav>", page, re.S)
    assert found
    return found.group(1)


def field_html(page: str, name: str) -> str:
    """The HTML of the form field ``name`` (its input and what is shown beside it)."""
    found = re.search(rf'<div class="field[^"]*" data-field="{re.escape(name)}">(.*?)</div>', page, re.S)
    assert found, f"no field {name}"
    return found.group(1)


def post(client: FlaskClient, path: str, data: dict[str, Any], form_page: str | None = None, **kw: Any) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_of(client, form_page or path)}, **kw)


def count(services: Services, console_world: ConsoleWorld, username: str) -> int:
    return int(applications.list_applications(services, actor(console_world.world, username)).total)


def test_each_role_sees_its_menu_entry_and_its_page(app: Flask, admission: AdmissionWorld) -> None:
    h1 = logged_in(app, "h1_officer")
    listed = h1.get("/console/admission/applications").get_data(as_text=True)
    menu = nav_of(listed)
    assert "准入申请" in menu and "专家评审" not in menu and "国家局备案" not in menu
    assert f'data-application-id="{admission.applications["h1_officer"]}"' in listed
    assert admission.applications["h2_officer"] not in listed  # SV-3: the hospital's own only
    assert "已受理，等待轮次结果" in listed and "共 1 条" in listed
    assert "2026年度耗材目录调整" in listed  # the round it joined
    assert "新建申请" in h1.get("/console/admission/applications/new").get_data(as_text=True)
    expert = logged_in(app, "expert").get("/console/admission/reviews").get_data(as_text=True)
    assert "专家评审" in nav_of(expert) and "准入申请" not in nav_of(expert)
    filings = logged_in(app, "nhsa").get("/console/admission/filings")
    assert filings.status_code == 200 and "国家局备案" in nav_of(filings.get_data(as_text=True))


def test_the_list_filters_by_status_and_pages(app: Flask, services: Services, console_world: ConsoleWorld) -> None:
    for _ in range(21):
        drafted(services, console_world.world, "h1_officer", with_documents=False)
    h1 = logged_in(app, "h1_officer")
    drafts = h1.get("/console/admission/applications?status=draft").get_data(as_text=True)
    assert "共 21 条" in drafts and "第 1/2 页" in drafts and drafts.count("data-application-id=") == 20
    second = h1.get("/console/admission/applications?status=draft&page=2").get_data(as_text=True)
    assert second.count("data-application-id=") == 1
    accepted = h1.get("/console/admission/applications?status=accepted").get_data(as_text=True)
    assert "共 1 条" in accepted and "已受理，等待轮次结果" in accepted
    for bad in ("?status=nonsense", "?page=-1", "?page=abc", "?page=99999999999"):
        assert h1.get(f"/console/admission/applications{bad}").status_code == 200
    assert h1.get("/console/admission/applications?status=%00").status_code == 422  # the app's request check


def test_a_new_draft_is_saved_and_shows_its_format_findings_beside_the_fields(
        app: Flask, services: Services, console_world: ConsoleWorld) -> None:
    h1 = logged_in(app, "h1_officer")
    before = count(services, console_world, "h1_officer")
    saved = post(h1, "/console/admission/applications/new", {
        "product_name": "一次性使用无菌导管", "certificate_number": "ABC", "price": "1280.00",
        "service_items-0-code": "310701001", "service_items-0-name": "经皮穿刺置管术", "separately_chargeable": "true"})
    assert saved.status_code == 302
    page = h1.get(saved.headers["Location"]).get_data(as_text=True)
    assert "草稿" in page and 'value="一次性使用无菌导管"' in page and 'value="310701001"' in page
    assert "CA-2 · 注册证编号或备案编号格式不正确" in field_html(page, "certificate_number")
    assert count(services, console_world, "h1_officer") == before + 1


@pytest.mark.parametrize(("name", "value", "message"), [
    ("product_name", "导管\x00", "不能包含空字符"),
    ("economic_evaluation", "长" * 4001, "最多4000个字符"),
    ("code", "C" * 28, "最多27个字符"),
    ("price", "12.345", "应为金额"),
    ("annual_fund_impact", "abc", "应为金额"),
    ("certificate_issued_on", "2020-13-01", "应为日期"),
    ("use_category", "toy", "请选择用途类别"),
    ("separately_chargeable", "maybe", "请选择可单独收费声明"),
    ("service_items-0-name", "名" * 201, "名称最多200个字符"),
])
def test_a_draft_with_a_bad_field_is_refused_beside_it_and_nothing_is_stored(
        app: Flask, services: Services, console_world: ConsoleWorld, name: str, value: str, message: str) -> None:
    h1 = logged_in(app, "h1_officer")
    before = count(services, console_world, "h1_officer")
    refused = post(h1, "/console/admission/applications/new", {"product_name": "导管", name: value})
    assert refused.status_code == 422
    assert message in field_html(refused.get_data(as_text=True), name.split("-")[0])
    assert count(services, console_world, "h1_officer") == before
    draft = drafted(services, console_world.world, "h1_officer", with_documents=False)
    stored = applications.get_application(services, actor(console_world.world, "h1_officer"), draft).facts
    path = f"/console/admission/applications/{draft}"
    again = post(h1, path, {**facts(), "service_items-0-code": "310701001", "service_items-0-name": "x",
                            name: value})
    assert again.status_code == 422 and message in again.get_data(as_text=True)
    assert applications.get_application(services, actor(console_world.world, "h1_officer"), draft).facts == stored


def test_another_hospitals_application_and_its_documents_answer_404(
        app: Flask, admission: AdmissionWorld, services: Services, console_world: ConsoleWorld) -> None:
    theirs = drafted(services, console_world.world, "h1_officer")
    document = applications.get_application(services, actor(console_world.world, "h1_officer"), theirs).documents[0]
    h2 = logged_in(app, "h2_officer")
    base = f"/console/admission/applications/{theirs}"
    for path in (base, f"{base}/documents/{document.id}", "/console/admission/applications/nonsense",
                 "/console/admission/applications/00000000-0000-4000-8000-000000000000",
                 f"{base}/documents/not-an-id"):
        answer = h2.get(path)
        assert answer.status_code == 404 and "未找到该页面或无权查看" in answer.get_data(as_text=True), path
    form = "/console/admission/applications/new"
    for path, data in ((base, {"product_name": "x"}), (f"{base}/submission", {}), (f"{base}/withdrawal",
                       {"reason": "x"}), (f"{base}/documents/{document.id}/removal", {})):
        assert post(h2, path, data, form).status_code == 404, path
    upload = post(h2, f"{base}/documents", {"kind": "instructions", "file": (io.BytesIO(PDF), "a.pdf")}, form,
                  content_type="multipart/form-data")
    assert upload.status_code == 404
    assert len(applications.get_application(services, actor(console_world.world, "h1_officer"),
                                            theirs).documents) == 4


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "instructions"}, "请选择要上传的文件"),
    ({"kind": "instructions", "file": (b"", "empty.pdf")}, "文件为空"),
    ({"kind": "instructions", "file": (PDF + b"x" * 3_145_728, "big.pdf")},
     "文件过大，最大 3072 KB（DA-2）"),
    ({"kind": "instructions", "file": (b"hello", "a.txt")}, "仅支持 PDF、JPEG、PNG 或 OFD"),
    ({"kind": "nonsense", "file": (PDF, "a.pdf")}, "请选择材料类型"),
    ({"kind": "instructions", "file": (PDF, "长" * 400 + ".pdf")}, "文件名过长"),
])
def test_a_bad_upload_is_refused_beside_the_file_input_and_nothing_is_attached(
        app: Flask, services: Services, console_world: ConsoleWorld, data: dict[str, Any], message: str) -> None:
    draft = drafted(services, console_world.world, "h1_officer", with_documents=False)
    h1 = logged_in(app, "h1_officer")
    path = f"/console/admission/applications/{draft}"
    sent = {k: (io.BytesIO(v[0]), v[1]) if k == "file" else v for k, v in data.items()}  # a fresh stream per run
    refused = post(h1, f"{path}/documents", sent, path, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert message in field_html(refused.get_data(as_text=True), "file")
    assert applications.get_application(services, actor(console_world.world, "h1_officer"), draft).documents == []


def test_a_document_is_uploaded_downloaded_and_removed(app: Flask, services: Services,
                                                       console_world: ConsoleWorld) -> None:
    draft = drafted(services, console_world.world, "h1_officer", with_documents=False)
    h1 = logged_in(app, "h1_officer")
    path = f"/console/admission/applications/{draft}"
    done = post(h1, f"{path}/documents", {"kind": "instructions", "file": (io.BytesIO(JPEG), "说明书.jpg")}, path,
                content_type="multipart/form-data")
    assert done.status_code == 302
    (document,) = applications.get_application(services, actor(console_world.world, "h1_officer"),
                                               draft).documents
    page = h1.get(path).get_data(as_text=True)
    assert "医用耗材产品说明书" in page and "说明书.jpg" in page
    got = h1.get(f"{path}/documents/{document.id}")
    assert (got.status_code, got.mimetype, got.data) == (200, "image/jpeg", JPEG)
    assert post(h1, f"{path}/documents/{document.id}/removal", {}, path).status_code == 302
    assert applications.get_application(services, actor(console_world.world, "h1_officer"), draft).documents == []


def test_a_submission_failing_the_precheck_shows_every_finding_beside_its_field_and_changes_nothing(
        app: Flask, services: Services, console_world: ConsoleWorld) -> None:
    officer = actor(console_world.world, "h1_officer")
    draft = applications.create_application(services, officer, facts(certificate_expires_on="2021-06-30")).id
    h1 = logged_in(app, "h1_officer")
    path = f"/console/admission/applications/{draft}"
    refused = post(h1, f"{path}/submission", {}, path)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "自动预审未通过" in page and "申请未提交" in page
    assert "CA-2 · " in field_html(page, "certificate_expires_on")  # expired on the application date
    assert "DA-2 · " in field_html(page, "file")  # the required documents are missing
    after = applications.get_application(services, officer, draft)
    assert (after.status, after.submitted_at, after.outcome) == ("draft", None, None)
    applications.update_application(services, officer, draft, facts())
    for kind in ("application_letter", "application_form", "certificate", "instructions"):
        post(h1, f"{path}/documents", {"kind": kind, "file": (io.BytesIO(PDF + kind.encode()), f"{kind}.pdf")},
             path, content_type="multipart/form-data")
    assert post(h1, f"{path}/submission", {}, path).status_code == 302
    assert "材料审核中" in h1.get(path).get_data(as_text=True)


def test_a_post_without_its_csrf_token_is_refused_and_stores_nothing(
        app: Flask, services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> None:
    h1 = logged_in(app, "h1_officer")
    before = count(services, console_world, "h1_officer")
    refused = h1.post("/console/admission/applications/new", data={"product_name": "导管"})
    assert refused.status_code == 400 and "安全令牌" in refused.get_data(as_text=True)
    assert count(services, console_world, "h1_officer") == before
    mine = admission.applications["h1_officer"]
    assert h1.post(f"/console/admission/applications/{mine}/withdrawal", data={"reason": "x"}).status_code == 400
    assert logged_in(app, "nhsa").post(f"/console/admission/rounds/{admission.round_id}/filing",
                                       data={"decision": "reject", "reasons": "x"}).status_code == 400


def test_an_application_is_withdrawn_with_a_reason(app: Flask, services: Services, console_world: ConsoleWorld,
                                                   admission: AdmissionWorld) -> None:
    draft = drafted(services, console_world.world, "h1_officer", with_documents=False)
    h1 = logged_in(app, "h1_officer")
    path = f"/console/admission/applications/{draft}"
    for reason, message in (("", "请填写撤回理由"), ("理" * 2001, "最多2000个字符"), ("停\x00产", "空字符")):
        refused = post(h1, f"{path}/withdrawal", {"reason": reason}, path)
        assert refused.status_code == 422 and message in field_html(refused.get_data(as_text=True), "reason")
    assert post(h1, f"{path}/withdrawal", {"reason": "产品停产"}, path).status_code == 302
    page = h1.get(path).get_data(as_text=True)
    assert "已撤回" in page and "产品停产" in page
    closed = f"/console/admission/applications/{admission.applications['h1_officer']}"  # its round's review began
    refused = post(h1, f"{closed}/withdrawal", {"reason": "产品停产"}, closed)
    assert refused.status_code == 422 and "DA-1" in field_html(refused.get_data(as_text=True), "reason")


def test_an_expert_sees_only_their_candidate_its_materials_and_submits_a_review(
        app: Flask, services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> None:
    expert = logged_in(app, "expert")
    listed = expert.get("/console/admission/reviews").get_data(as_text=True)
    assert f'data-entry-code="{NEW_ENTRY}"' in listed and OTHER_NEW_ENTRY not in listed
    base = f"/console/admission/rounds/{admission.round_id}/candidates"
    assert expert.get(f"{base}/{OTHER_NEW_ENTRY}").status_code == 404
    assert expert.get(f"{base}/C123").status_code == 404 and expert.get("/console/admission/rounds/x/candidates/"
                                                                        f"{NEW_ENTRY}").status_code == 404
    theirs = admission.applications["h2_officer"]
    assert expert.get(f"/console/admission/applications/{theirs}").status_code == 404
    page = expert.get(f"{base}/{NEW_ENTRY}").get_data(as_text=True)
    mine = admission.applications["h1_officer"]
    assert f'data-application-id="{mine}"' in page and "一次性使用无菌导管" in page
    link = re.search(rf'href="(/console/admission/applications/{mine}/documents/[^"]+)"', page)
    assert link and expert.get(link.group(1)).status_code == 200
    refused = post(expert, f"{base}/{NEW_ENTRY}", {"max_payment_standard": "1.234", "reasoning": ""})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请选择是否纳入" in field_html(body, "include")
    assert "请填写评审意见" in field_html(body, "reasoning") and "应为金额" in field_html(body, "max_payment_standard")
    assert rounds.get_candidate(services, actor(console_world.world, "expert"), admission.round_id,
                                NEW_ENTRY).reviews == []
    done = post(expert, f"{base}/{NEW_ENTRY}", {"include": "true", "category": "乙",
                                                "max_payment_standard": "1200.00", "reasoning": "临床必需"})
    assert done.status_code == 302
    shown = expert.get(f"{base}/{NEW_ENTRY}").get_data(as_text=True)
    assert "临床必需" in shown and "¥1,200.00" in shown and 'id="review-form"' not in shown


def test_the_nhsa_acknowledges_a_filing_after_refusals_beside_the_fields(
        app: Flask, services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> None:
    file_with_nhsa(services, console_world.world, admission)
    nhsa = logged_in(app, "nhsa")
    page = nhsa.get("/console/admission/filings").get_data(as_text=True)
    assert f'data-round-id="{admission.round_id}"' in page and "2026年度耗材目录调整" in page
    path = f"/console/admission/rounds/{admission.round_id}/filing"
    form = "/console/admission/filings"
    for data, name, message in (({}, "decision", "请选择备案结论"),
                                ({"decision": "acknowledge"}, "filing_number", "请填写备案号"),
                                ({"decision": "acknowledge", "filing_number": "号" * 101}, "filing_number", "最多100"),
                                ({"decision": "reject", "reasons": " "}, "reasons", "请填写退回理由")):
        refused = post(nhsa, path, data, form)
        assert refused.status_code == 422 and message in field_html(refused.get_data(as_text=True), name)
    assert post(nhsa, "/console/admission/rounds/nonsense/filing", {"decision": "reject", "reasons": "x"},
                form).status_code == 404
    assert rounds.get_round(services, actor(console_world.world, "nhsa"), admission.round_id).stage == "filing"
    number = {"decision": "acknowledge", "filing_number": "国医保耗备〔2026〕12号"}
    assert post(nhsa, path, number, form).status_code == 302
    after = nhsa.get(form).get_data(as_text=True)
    assert 'id="no-pending"' in after and "国医保耗备〔2026〕12号" in after
    assert rounds.get_round(services, actor(console_world.world, "nhsa"), admission.round_id).stage == "notice"
    assert logged_in(app, "h1_officer").get(form).status_code == 403
