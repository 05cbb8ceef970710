"""The Chinese words of the registration pages (ND-2…ND-16): statuses, field labels, and one sentence per rule that
explains a refusal. Templates only look words up here; no rule is decided by them."""

from __future__ import annotations

from domain.errors import YibaoError

STATUS = {"pending": "待生效", "active": "有效", "suspended": "暂停", "expired": "到期", "ended": "终止"}
INSURANCE = {"employee": "职工基本医疗保险", "resident": "城乡居民基本医疗保险"}
END_REASONS = {"cancelled": "注销", "hospital_changed": "变更定点医院", "agreement_ended": "协议期满",
               "drug_delisted": "药品调出目录"}
REVISIONS = {"registered": "登记", "reassessed": "复评", "updated": "更新", "physician_changed": "变更医师",
             "ended": "终止"}
DISPENSERS = {"hospital": "定点医院", "pharmacy": "双通道药店"}
LABELS = {
    "psn_no": "人员编号", "insurance_type": "参保险种", "insurance_region": "参保地区划代码",
    "entitled": "正常享受待遇", "drug": "药品", "diagnosis_code": "诊断编码（ICD-10）", "diagnosis_name": "诊断名称",
    "diagnostic_basis": "诊断依据",
    "indication": "限定支付范围（适应症）", "indication_confirmed": "确认符合限定支付范围", "dose": "剂量",
    "frequency": "用药频次", "quantity_per_fill": "每次取药数量", "reason": "原因", "physician_code": "医师编码",
    "quantity": "数量", "amount": "金额（元）", "external_ref": "外部流水号",
}

# One sentence per rule; a (rule, field) key says more where one rule refuses for several reasons.
RULE_TEXT: dict[str | tuple[str, str], str] = {
    "ND-2": "患者须参加职工或城乡居民基本医疗保险，且当前正常享受医保待遇。",
    ("ND-2", "entitled"): "患者当前未正常享受医保待遇，不能登记。",
    "ND-3": "“定医院”：须由三级定点医院登记，同一患者同一药品同一时间只能在一家医院登记。",
    ("ND-3", "drug"): "“定医院”：该患者已在其他医院登记了此药品，同一时间只能在一家医院登记。",
    "ND-4": "“定医师”：须由本院具有高级职称（主任医师或副主任医师）的医师登记。",
    "ND-5": "“定药品”：药品须在现行谈判药品目录和协议期内，并须确认患者符合其限定支付范围。",
    ("ND-5", "drug"): "“定药品”：该药品不在现行谈判药品目录中，或不在协议期内。",
    ("ND-5", "indication"): "请填写适用的限定支付范围（适应症）。",
    ("ND-5", "indication_confirmed"): "“定药品”：医师须确认患者符合该药品的限定支付范围。",
    "ND-6": "登记须记录 ICD-10 诊断编码与名称、诊断依据和处方（剂量、频次、每次数量）。",
    ("ND-6", "diagnosis_code"): "诊断编码须为 ICD-10 编码，如 M05.900。",
    ("ND-2", "psn_no"): "人员编号须为 1–64 位字母或数字。",
    ("ND-10", "insurance_region"): "参保地须为 6 位行政区划代码（GB/T 2260），如 520100。",
    "ND-7": "登记有效期为一年：登记尚未生效或已到期，不能结算；续期只能在到期前一个月内办理。",
    "ND-8": "登记须至少每 6 个月复评一次：逾期未复评的登记已暂停结算，复评后恢复。",
    "ND-9": "该药品本年度的基金最高支付限额已用完，基金不再支付。",
    "ND-10": "异地参保患者只能在开通跨省门诊直接结算的定点医院登记。",
    "ND-11": "“可溯源”：结算须与登记一致——登记的患者、药品、医院和处方医师。",
    ("ND-11", "psn_no"): "“可溯源”：该患者没有此药品的登记，不能结算。",
    ("ND-11", "physician"): "“定医师”：处方医师与登记的责任医师不一致，不能结算。",
    ("ND-11", "drug"): "“定药品”：结算的药品与登记的药品不一致。",
    ("ND-11", "dispenser"): "“定机构”：只有登记的定点医院或其指定的双通道药店可以结算。",
    "ND-12": "该药品的谈判协议已到期或已调出目录，相关登记终止，基金停止支付。",
    "ND-13": "“双通道”：只有经登记医院指定、并在医保系统备案的双通道定点药店可以凭该院处方结算。",
    "ND-14": "登记已注销或已变更到其他医院（变更、注销须填写原因），不能再结算或修改。",
    "ND-15": "医保支付的起付标准和支付比例尚未配置，暂不能结算，请联系医保局。",
    "ND-16": "该适应症须由相应专科（如风湿病专科）医师登记和复评。",
}
FIELD_OF = {"physician": "physician_code", "prescription.dose": "dose", "prescription.frequency": "frequency",
            "prescription.quantity_per_fill": "quantity_per_fill"}


def rule_text(rule: str | None, field: str | None = None) -> str:
    """The Chinese sentence explaining a refusal by ``rule`` (more precise for ``field`` where one is known)."""
    if rule is None:
        return ""
    return RULE_TEXT.get((rule, field or ""), RULE_TEXT.get(rule, "该请求不符合政策规定。"))


def refusal_messages(exc: YibaoError, form_fields: frozenset[str]) -> dict[str, str]:
    """Each refusal of ``exc`` as {form field or "": "ND-x：sentence"}; a field not on the form goes to the top."""
    found = exc.extra.get("violations") or [{"rule": exc.rule, "field": exc.field, "detail": exc.detail}]
    messages: dict[str, str] = {}
    for v in found:
        name = FIELD_OF.get(v["field"] or "", v["field"] or "")
        if v["rule"]:
            text = f"{v['rule']}：{rule_text(v['rule'], v['field'])}"
        else:
            text = f"{LABELS.get(name, name)}格式不正确"
        key = name if name in form_fields else ""
        if text not in messages.get(key, ""):
            messages[key] = f"{messages[key]} {text}" if key in messages else text
    return messages
