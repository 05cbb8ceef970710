"""Parsing and checking of the catalog and drug-list files, the specialist rule and the catalog diff (no database)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from domain.errors import InvalidInput
from domain.reference_data import (
    CATALOG_COLUMNS,
    DRUG_COLUMNS,
    CatalogRow,
    DrugRow,
    catalog_code_prefix,
    diff_catalogs,
    parse_catalog,
    parse_drugs,
    rows_digest,
    specialty_required,
)

DATA = Path(__file__).resolve().parents[2] / "data"
RHEUMATOLOGY_DRUGS = ["托法替布", "巴瑞替尼", "阿达木单抗", "英夫利西单抗", "依那西普", "司库奇尤单抗"]
ENTRY = {
    "id": "gz_nhsa_consumables_C01010100101001", "name": "C01010100101001",
    "primary_classification": "非血管介入治疗类材料", "secondary_classification": "呼吸介入材料",
    "tertiary_classification": "气管支气管支架", "common_name": "支架", "material": "镍钛合金",
    "characteristics": "全覆膜", "payment_category": "乙类", "payment_standard": "8085.00", "description": "",
}
DRUG = {
    "seq": "1", "name": "托法替布", "dosage_form": "口服常释剂型",
    "restriction": "限诊断明确的类风湿关节炎，并需风湿病专科医师处方。", "annual_limit": "13000.00",
    "agreement_start": "", "agreement_end": "", "required_specialty": "rheumatology",
    "specialty_exempt_indications": "",
}


def to_csv(columns: tuple[str, ...], *records: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[r[c] for c in columns] for r in records])
    return out.getvalue()


def catalog_csv(*changes: dict[str, str]) -> str:
    """A catalog file with one row per change applied to a valid entry."""
    return to_csv(CATALOG_COLUMNS, *({**ENTRY, **c} for c in changes))


def drug_csv(*changes: dict[str, str]) -> str:
    """A drug file with one row per change applied to a valid drug."""
    return to_csv(DRUG_COLUMNS, *({**DRUG, **c} for c in changes))


@pytest.fixture(scope="module")
def drugs() -> dict[str, DrugRow]:
    rows = parse_drugs((DATA / "negotiated-drugs.csv").read_text(encoding="utf-8"))
    return {row.name: row for row in rows}


def test_nd1_the_drug_list_has_the_23_drugs_of_the_seed_with_positive_limits(drugs: dict[str, DrugRow]) -> None:
    assert len(drugs) == 23
    assert sorted(d.seq for d in drugs.values()) == list(range(1, 24))
    assert all(d.annual_limit > 0 and d.dosage_form for d in drugs.values())
    assert drugs["麦格司他"].annual_limit == Decimal("281000.00")
    assert drugs["巴瑞替尼"].annual_limit == Decimal("7000.00")
    assert drugs["兰瑞肽"].dosage_form == "缓释注射剂（预充式）"
    assert drugs["地拉罗司"].restriction == ""  # the seed gives no restriction for it
    assert all(d.agreement_start is None and d.agreement_end is None for d in drugs.values())


def test_nd16_the_six_rheumatology_drugs_carry_the_specialty_and_their_exemptions(drugs: dict[str, DrugRow]) -> None:
    assert sorted(n for n, d in drugs.items() if d.required_specialty) == sorted(RHEUMATOLOGY_DRUGS)
    assert all(d.required_specialty == "rheumatology" for n, d in drugs.items() if n in RHEUMATOLOGY_DRUGS)
    assert {n: d.specialty_exempt_indications for n, d in drugs.items() if d.specialty_exempt_indications} == {
        "阿达木单抗": ("斑块状银屑病",),
        "英夫利西单抗": ("斑块状银屑病", "克罗恩病", "溃疡性结肠炎"),
        "司库奇尤单抗": ("斑块状银屑病",),
    }


@pytest.mark.parametrize(("drug", "indication", "needed"), [
    ("托法替布", "类风湿关节炎", "rheumatology"),
    ("依那西普", "强直性脊柱炎", "rheumatology"),
    ("阿达木单抗", "类风湿关节炎", "rheumatology"),
    ("阿达木单抗", "中重度斑块状银屑病", None),
    ("阿达木单抗", "银屑病关节炎", "rheumatology"),  # psoriatic arthritis is not the exempt plaque psoriasis
    ("英夫利西单抗", "克罗恩病", None),
    ("英夫利西单抗", "中重度溃疡性结肠炎", None),
    ("英夫利西单抗", "强直性脊柱炎", "rheumatology"),
    ("司库奇尤单抗", "斑块状银屑病", None),
    ("麦格司他", "C型尼曼匹克病", None),
    ("维得利珠单抗", "克罗恩病", None),
])
def test_nd16_specialty_required_by_drug_and_indication(
    drugs: dict[str, DrugRow], drug: str, indication: str, needed: str | None
) -> None:
    assert specialty_required(drugs[drug], indication) == needed


def test_nd16_a_specialist_drug_needs_a_named_indication(drugs: dict[str, DrugRow]) -> None:
    with pytest.raises(InvalidInput) as exc:
        specialty_required(drugs["托法替布"], "  ")
    assert (exc.value.field, exc.value.rule) == ("indication", "ND-16")


def test_cm1_cm2_the_real_catalog_parses_with_short_categories_and_decimal_standards() -> None:
    rows = parse_catalog((DATA / "guizhou-consumables-catalog.csv").read_text(encoding="utf-8"))
    assert len(rows) == len({r.code for r in rows}) == 3211
    assert {r.payment_category for r in rows} == {"乙"}
    assert rows[0].payment_standard == Decimal("8085.00") and rows[0].description is None
    assert min(r.payment_standard or 0 for r in rows) == Decimal("0.27")
    assert sum(1 for r in rows if r.description) == 39


@pytest.mark.parametrize(("category", "stored"), [("甲类", "甲"), ("乙类", "乙"), ("甲", "甲"), ("乙", "乙")])
def test_cm2_payment_category_maps_to_jia_or_yi(category: str, stored: str) -> None:
    assert parse_catalog(catalog_csv({"payment_category": category}))[0].payment_category == stored


def test_cm2_an_entry_may_have_no_payment_standard() -> None:
    assert parse_catalog(catalog_csv({"payment_standard": ""}))[0].payment_standard is None


def test_cm1_a_byte_order_mark_and_blank_lines_are_tolerated_and_lines_still_count() -> None:
    text = "\ufeff" + catalog_csv({}).replace("\n", "\n\n", 1) + catalog_csv({"name": "C0101"}).split("\n", 1)[1]
    with pytest.raises(InvalidInput) as exc:
        parse_catalog(text)
    assert exc.value.extra["line"] == 4


SECOND = {"name": "C01010100101004"}


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    ("code,name\nC1,x\n", 1, "header", "expected the columns"),
    (catalog_csv({}) + "C01010100101004,x\n", 3, "row", "expected 11 fields, got 2"),
    (catalog_csv({}) + 'x,"C0101\n', 3, "row", "malformed CSV"),
    (catalog_csv({"name": "C010101001010"}), 2, "name", "15 characters, got 13"),
    (catalog_csv({"name": "C0101010010100X"}), 2, "name", "material and feature"),
    (catalog_csv({"name": "X01010100101001"}), 2, "name", "must start with 'C'"),
    (catalog_csv({"payment_category": "丙类"}), 2, "payment_category", "甲类 or 乙类"),
    (catalog_csv({"payment_standard": "abc"}), 2, "payment_standard", "amount in yuan"),
    (catalog_csv({"payment_standard": "1.234"}), 2, "payment_standard", "two decimals"),
    (catalog_csv({"payment_standard": "NaN"}), 2, "payment_standard", "two decimals"),
    (catalog_csv({"payment_standard": "-1.00"}), 2, "payment_standard", "at least 0"),
    (catalog_csv({"payment_standard": "1e20"}), 2, "payment_standard", "at most"),
    (catalog_csv({"common_name": " "}), 2, "common_name", "must not be empty"),
    (catalog_csv({"tertiary_classification": ""}), 2, "tertiary_classification", "must not be empty"),
    (catalog_csv({"characteristics": "长" * 201}), 2, "characteristics", "at most 200 characters"),
    (catalog_csv({}, SECOND, {}), 4, "name", "repeats line 2"),
    (to_csv(CATALOG_COLUMNS), 2, "row", "no data rows"),
])
def test_cm1_every_catalog_error_names_its_line_and_field(text: str, line: int, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_catalog(text)
    assert (exc.value.extra["line"], exc.value.field) == (line, field)
    assert exc.value.detail.startswith(f"line {line}, {field}: ")
    assert words in exc.value.detail


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    ("seq,name\n1,x\n", 1, "header", "expected the columns"),
    (drug_csv({"seq": "0"}), 2, "seq", "positive whole number"),
    (drug_csv({"seq": "一"}), 2, "seq", "positive whole number"),
    (drug_csv({"name": ""}), 2, "name", "must not be empty"),
    (drug_csv({"dosage_form": " "}), 2, "dosage_form", "must not be empty"),
    (drug_csv({"annual_limit": "0"}), 2, "annual_limit", "more than 0"),
    (drug_csv({"annual_limit": "1.5万"}), 2, "annual_limit", "amount in yuan"),
    (drug_csv({"agreement_start": "2024-01-01"}), 2, "agreement_end", "both agreement dates or neither"),
    (drug_csv({"agreement_end": "2024-01-01"}), 2, "agreement_start", "both agreement dates or neither"),
    (drug_csv({"agreement_start": "2024-01-01", "agreement_end": "2024-01-01"}), 2, "agreement_end",
     "after agreement_start 2024-01-01"),
    (drug_csv({"agreement_start": "2024/01/01", "agreement_end": "2025-12-31"}), 2, "agreement_start", "ISO date"),
    (drug_csv({"required_specialty": "风湿科"}), 2, "required_specialty", "lower-case identifier"),
    (drug_csv({"required_specialty": ""}), 2, "required_specialty", "需风湿病专科医师处方: must be 'rheumatology'"),
    (drug_csv({"restriction": "限肢端肥大症。", "required_specialty": "", "specialty_exempt_indications": "肢端"}), 2,
     "specialty_exempt_indications", "only a drug with a required_specialty"),
    (drug_csv({"specialty_exempt_indications": "克罗恩病"}), 2, "specialty_exempt_indications",
     "'克罗恩病' does not occur in the restriction"),
    (drug_csv({}, {"name": "巴瑞替尼"}), 3, "seq", "'1' repeats line 2"),
    (drug_csv({}, {"seq": "2"}), 3, "name", "'托法替布' repeats line 2"),
])
def test_nd1_every_drug_error_names_its_line_and_field(text: str, line: int, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_drugs(text)
    assert (exc.value.extra["line"], exc.value.field) == (line, field)
    assert exc.value.detail.startswith(f"line {line}, {field}: ")
    assert words in exc.value.detail


def test_nd12_a_stated_agreement_period_is_kept_as_dates() -> None:
    row = parse_drugs(drug_csv({"agreement_start": "2022-01-01", "agreement_end": "2023-12-31"}))[0]
    assert (row.agreement_start.isoformat(), row.agreement_end.isoformat()) == ("2022-01-01", "2023-12-31")  # type: ignore[union-attr]


def test_cm6_the_digest_follows_the_content_not_the_file_layout() -> None:
    plain = catalog_csv({}, SECOND)
    quoted = plain.replace("\n", "\r\n").replace(",8085.00,", ',"8085.0",')
    assert rows_digest(parse_catalog(plain)) == rows_digest(parse_catalog(quoted))
    other = catalog_csv({}, {**SECOND, "material": "钛"})
    assert rows_digest(parse_catalog(plain)) != rows_digest(parse_catalog(other))


def entry(code: str, **changes: object) -> CatalogRow:
    return replace(parse_catalog(catalog_csv({}))[0], code=code, **changes)  # type: ignore[arg-type]


def test_cm6_diff_lists_added_removed_and_changed_entries_by_code() -> None:
    old = [entry("C01010100101003"), entry("C01010100101001"), entry("C01010100101002")]
    new = [entry("C01010100101001", payment_standard=Decimal("7000.00"), material="钛"),
           entry("C01010100101002"), entry("C01010100101009"), entry("C01010100101005")]
    diff = diff_catalogs(old, new)
    assert [r.code for r in diff.added] == ["C01010100101005", "C01010100101009"]
    assert [r.code for r in diff.removed] == ["C01010100101003"]
    assert [(c.code, c.fields) for c in diff.changed] == [("C01010100101001", ("material", "payment_standard"))]
    assert diff.changed[0].before.payment_standard == Decimal("8085.00")
    assert diff_catalogs(new, new) == diff_catalogs([], []) == type(diff)((), (), ())


@pytest.mark.parametrize("prefix", ["C", "C01", "C01010100101001"])
def test_cm1_a_code_prefix_is_c_and_digits(prefix: str) -> None:
    assert catalog_code_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["", "c01", "C01%", "C010101001010011", "01"])
def test_cm1_a_malformed_code_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        catalog_code_prefix(prefix)
    assert exc.value.field == "code_prefix"
