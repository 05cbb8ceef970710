"""Loading and reading the versioned reference data on both backends: the real catalog and drug list (CM-6, ND-1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_smorest import Api
from sqlalchemy import func, select

from api import admission_catalog as entry_api
from api import catalog as catalog_api
from api import drugs as drugs_api
from api import errors
from domain.actors import SYSTEM, Actor
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.reference_data import SEARCHED_NAMES, code_prefix_range, parse_catalog, search_terms
from storage.catalog_models import CatalogEntryTerm
from storage.models import AuditEntry
from workflows import reference_data as rd
from workflows.context import Services

DATA = Path(__file__).resolve().parents[2] / "data"
CATALOG = DATA / "guizhou-consumables-catalog.csv"
DRUGS = DATA / "negotiated-drugs.csv"
DAY = date(2026, 1, 1)
BUREAU = Actor("officer-1", "bureau-1", frozenset({"bureau_officer"}))


def load_catalog(services: Services, path: Path = CATALOG, day: date = DAY) -> rd.CatalogVersionView:
    return rd.load_catalog(services, BUREAU, path, day, path.name)


@pytest.fixture
def small_catalog(tmp_path: Path) -> Path:
    """The real catalog's first 60 entries (37 of them respiratory, C0101…), for tests that need no more."""
    path = tmp_path / CATALOG.name
    path.write_text("".join(CATALOG.read_text(encoding="utf-8").splitlines(keepends=True)[:61]), encoding="utf-8")
    return path


def audit_actions(services: Services, aggregate_type: str) -> list[str]:
    with services.uow() as uow:
        query = select(AuditEntry.action).where(AuditEntry.aggregate_type == aggregate_type)
        return list(uow.session.scalars(query.order_by(AuditEntry.seq)))


def test_sv1_entries_page_by_code_and_filter_by_prefix_and_words(services: Services) -> None:
    load_catalog(services)
    rows = parse_catalog(CATALOG.read_text(encoding="utf-8"))
    first, second = (rd.get_catalog_entries(services, limit=20, offset=o) for o in (0, 20))
    assert first.total == second.total == 3211
    assert [e.code for e in first.items + second.items] == [r.code for r in rows[:40]]
    assert rd.get_catalog_entries(services, offset=3200).items[-1].code == rows[-1].code
    respiratory = rd.get_catalog_entries(services, code_prefix="C0101", limit=200)
    assert respiratory.total == len(respiratory.items) == 37
    names = ("common_name", "primary_class", "secondary_class", "tertiary_class")
    stents = rd.get_catalog_entries(services, q="支架", limit=200)
    assert stents.total == sum(any("支架" in getattr(r, n) for n in names) for r in rows)
    assert all(any("支架" in getattr(e, n) for n in names) for e in stents.items)
    assert rd.get_catalog_entries(services, code_prefix="C03", q="锚钉").total > 0
    entry = rd.get_catalog_entry(services, "C01010100101001")
    assert (entry.version, entry.common_name, entry.payment_category) == (1, "支架", "乙")
    assert entry.payment_standard == Decimal("8085.00")
    assert rd.get_catalog_entry(services, "C01010100101001" + "039410000049") == entry  # a 27-character product
    assert rd.get_catalog_entry(services, "C16030521500001").payment_standard == Decimal("0.27")


def test_cm1_unknown_codes_versions_and_bad_prefixes_are_refused(services: Services, small_catalog: Path) -> None:
    with pytest.raises(NotFound):
        rd.get_catalog_entries(services)
    load_catalog(services, small_catalog)
    with pytest.raises(NotFound, match="no entry C99999999999999"):
        rd.get_catalog_entry(services, "C99999999999999")
    with pytest.raises(NotFound, match="no catalog version 7"):
        rd.get_catalog_entries(services, version=7)
    with pytest.raises(InvalidInput) as bad:
        rd.get_catalog_entry(services, "C0101")
    assert bad.value.field == "code"
    with pytest.raises(InvalidInput) as prefix:
        rd.get_catalog_entries(services, code_prefix="C01%")
    assert prefix.value.field == "code_prefix"


def test_sv1_search_by_words_through_the_term_index_finds_what_a_scan_finds(services: Services) -> None:
    load_catalog(services)
    rows = parse_catalog(CATALOG.read_text(encoding="utf-8"))
    for q in ("管", "支架", "导管鞘", "非血管介入", "Ⅰ型", "ptca", "PTCA", "无此名称之物"):
        expected = [r.code for r in rows if any(q.lower() in getattr(r, n).lower() for n in SEARCHED_NAMES)]
        found = rd.get_catalog_entries(services, q=q, limit=500)
        assert (q, found.total) == (q, len(expected))
        assert [e.code for e in found.items] == expected[:500]
    with services.uow() as uow:  # the index answers: each version's terms are stored with it
        terms = uow.session.scalar(select(func.count()).select_from(CatalogEntryTerm))
    assert terms == sum(len(search_terms(r)) for r in rows)


def test_sv1_a_code_prefix_is_a_range_of_the_ordered_index() -> None:
    assert code_prefix_range("C0101") == ("C0101", "C0102")
    assert code_prefix_range("C019") == ("C019", "C01:")  # ':' follows '9'
    assert code_prefix_range("C") == ("C", "D")


def test_cm6_the_real_catalog_loads_once_and_a_changed_row_makes_version_2(services: Services, tmp_path: Path) -> None:
    first = load_catalog(services)  # how long it takes is a benchmark's business, not a test's
    assert (first.version, first.entries, first.effective_date) == (1, 3211, DAY)
    assert first.source.startswith("guizhou-consumables-catalog.csv sha256:")
    assert load_catalog(services, day=date(2026, 7, 1)) == first  # the same entries again: no new version
    assert rd.list_catalog_versions(services) == [first]
    assert audit_actions(services, "catalog") == ["catalog.version_loaded"]
    lines = CATALOG.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = tmp_path / CATALOG.name
    lines[1] = lines[1].replace(",8085.00,", ",7999.50,")
    changed.write_text("".join(lines[:-1]), encoding="utf-8")  # and the last entry is dropped
    second = load_catalog(services, changed, date(2027, 1, 1))
    assert (second.version, second.entries, second.effective_date) == (2, 3210, date(2027, 1, 1))
    diff = rd.catalog_diff(services, 1, 2)
    assert [(c.code, c.fields) for c in diff.changed] == [("C01010100101001", ["payment_standard"])]
    assert diff.changed[0].before.payment_standard == Decimal("8085.00")
    assert diff.changed[0].after.payment_standard == Decimal("7999.50")
    assert [e.code for e in diff.removed] == [lines[-1].split(",")[1]]
    assert diff.added == []
    assert [e.code for e in rd.catalog_diff(services, 2, 1).added] == [lines[-1].split(",")[1]]
    assert rd.get_catalog_entry(services, "C01010100101001", version=1).payment_standard == Decimal("8085.00")
    assert rd.get_catalog_entry(services, "C01010100101001").version == 2
    assert [v.version for v in rd.list_catalog_versions(services)] == [1, 2]
    assert audit_actions(services, "catalog") == ["catalog.version_loaded"] * 2


def test_nd1_the_drug_list_loads_23_drugs_once(services: Services, tmp_path: Path) -> None:
    first = rd.load_drug_list(services, BUREAU, DRUGS, DAY, DRUGS.name)
    assert (first.version, first.drugs) == (1, 23)
    assert rd.load_drug_list(services, SYSTEM, DRUGS, DAY, DRUGS.name).version == 1
    listed = rd.list_drugs(services)
    assert [d.seq for d in listed.drugs] == list(range(1, 24))
    assert all(d.annual_limit > 0 for d in listed.drugs)
    assert listed.drugs[0].name == "麦格司他" and listed.drugs[0].annual_limit == Decimal("281000.00")
    assert all(d.agreement_start is None and d.agreement_end is None for d in listed.drugs)  # not in the seed
    assert [d.name for d in listed.drugs if d.required_specialty == "rheumatology"] == [
        "托法替布", "巴瑞替尼", "阿达木单抗", "英夫利西单抗", "依那西普", "司库奇尤单抗"]
    edited = tmp_path / DRUGS.name
    edited.write_text(DRUGS.read_text(encoding="utf-8").replace(",281000.00,", ",280000.00,"), encoding="utf-8")
    second = rd.load_drug_list(services, BUREAU, edited, date(2027, 1, 1), DRUGS.name)
    assert (second.version, second.drugs) == (2, 23)
    assert [(v.version, v.drugs) for v in rd.list_drug_versions(services)] == [(1, 23), (2, 23)]
    assert rd.list_drugs(services, version=1).drugs[0].annual_limit == Decimal("281000.00")
    assert rd.list_drugs(services).drugs[0].annual_limit == Decimal("280000.00")
    assert audit_actions(services, "drug_list") == ["drug_list.version_loaded"] * 2


def test_nd1_only_the_bureau_loads_reference_data(services: Services) -> None:
    physician = Actor("dr-1", "hospital-1", frozenset({"physician"}))
    with pytest.raises(Forbidden):
        rd.load_drug_list(services, physician, DRUGS, DAY, DRUGS.name)
    with pytest.raises(Forbidden):
        rd.load_catalog(services, physician, CATALOG, DAY, CATALOG.name)
    with pytest.raises(NotFound):
        rd.list_drugs(services)


@pytest.fixture
def client(services: Services) -> Iterator[FlaskClient]:
    app = Flask(__name__)
    app.config.update(API_TITLE="test", API_VERSION="0", OPENAPI_VERSION="3.0.3")
    app.extensions["yibao"] = services
    api = Api(app)
    api.register_blueprint(catalog_api.blp)
    api.register_blueprint(entry_api.blp)
    api.register_blueprint(drugs_api.blp)
    errors.register(app)
    yield app.test_client()


def test_sv1_the_public_reads_catalog_and_drugs_over_http(
    services: Services, client: FlaskClient, small_catalog: Path
) -> None:
    assert client.get("/catalog/entries").status_code == 404
    load_catalog(services, small_catalog)
    rd.load_drug_list(services, BUREAU, DRUGS, DAY, DRUGS.name)
    assert client.get("/catalog/versions").json[0]["entries"] == 60
    page = client.get("/catalog/entries?code_prefix=C0101&limit=5&offset=5").json
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (37, 5, 5, 5)
    assert page["total_is_lower_bound"] is False
    entry = client.get("/catalog/entries/C01010100101001?version=1").json
    assert (entry["payment_standard"], entry["payment_category"]) == ("8085.00", "乙")
    assert client.get("/catalog/entries/C0101").status_code == 422
    assert client.get("/catalog/entries?limit=0").status_code == 422
    diff = client.get("/catalog/diff?from=1&to=1").json
    assert (diff["added"], diff["removed"], diff["changed"]) == ([], [], [])
    assert client.get("/catalog/diff?from=1").status_code == 422
    drugs = client.get("/negotiated-drugs").json
    assert (drugs["version"], len(drugs["drugs"]), drugs["drugs"][15]["annual_limit"]) == (1, 23, "49000.00")
    assert client.get("/negotiated-drugs/versions").json[0]["drugs"] == 23
    assert client.get("/negotiated-drugs?version=9").json["code"] == "drug_list_version_not_found"
