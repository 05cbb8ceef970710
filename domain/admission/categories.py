"""The fixed vocabularies of admission: each member has a stable English key (its value) and a Chinese label."""

from __future__ import annotations

from enum import StrEnum


class UseCategory(StrEnum):
    """What a consumable is used for (用途类别), picked by the applicant; the CX-1 kinds are excluded at pre-check."""

    # Therapeutic categories: admissible.
    IMPLANT = "implant"
    INTERVENTIONAL = "interventional"
    SURGICAL = "surgical"
    BLOOD_PURIFICATION = "blood_purification"
    INJECTION_PUNCTURE = "injection_puncture"
    FUNCTIONAL_DRESSING = "functional_dressing"
    OTHER_THERAPEUTIC = "other_therapeutic"
    # CX-1 (三(二)1): excluded.
    NON_THERAPEUTIC_REHABILITATION_AID = "non_therapeutic_rehabilitation_aid"
    SELF_USE_HEALTH_CARE = "self_use_health_care"
    SELF_USE_MASSAGE = "self_use_massage"
    SELF_USE_TESTING = "self_use_testing"
    SELF_USE_TREATMENT = "self_use_treatment"
    COSMETIC = "cosmetic"
    BODY_SHAPING = "body_shaping"
    NON_FUNCTIONAL_PLASTIC_ORTHOPEDIC = "non_functional_plastic_orthopedic"
    SPECTACLES = "spectacles"
    DENTURES = "dentures"
    ARTIFICIAL_EYES = "artificial_eyes"
    ARTIFICIAL_LIMBS = "artificial_limbs"
    HEARING_AIDS = "hearing_aids"
    OTHER_REHABILITATION_DEVICE = "other_rehabilitation_device"

    @property
    def label(self) -> str:
        """The Chinese label shown in forms."""
        return _USE_LABELS[self]

    @property
    def excluded(self) -> bool:
        """True for the kinds CX-1 excludes from the catalog."""
        return self in CX1_EXCLUDED


_USE_LABELS = {
    UseCategory.IMPLANT: "植入类治疗耗材",
    UseCategory.INTERVENTIONAL: "介入治疗耗材",
    UseCategory.SURGICAL: "手术及治疗操作耗材",
    UseCategory.BLOOD_PURIFICATION: "血液净化及体外循环耗材",
    UseCategory.INJECTION_PUNCTURE: "注射穿刺类耗材",
    UseCategory.FUNCTIONAL_DRESSING: "功能性敷料",
    UseCategory.OTHER_THERAPEUTIC: "其他治疗性医用耗材",
    UseCategory.NON_THERAPEUTIC_REHABILITATION_AID: "非治疗性康复器具",
    UseCategory.SELF_USE_HEALTH_CARE: "自用的保健耗材",
    UseCategory.SELF_USE_MASSAGE: "自用的按摩耗材",
    UseCategory.SELF_USE_TESTING: "自用的检查耗材",
    UseCategory.SELF_USE_TREATMENT: "自用的治疗耗材",
    UseCategory.COSMETIC: "美容相关医用耗材",
    UseCategory.BODY_SHAPING: "健美相关医用耗材",
    UseCategory.NON_FUNCTIONAL_PLASTIC_ORTHOPEDIC: "非功能性整容、矫形相关医用耗材",
    UseCategory.SPECTACLES: "眼镜",
    UseCategory.DENTURES: "义齿",
    UseCategory.ARTIFICIAL_EYES: "义眼",
    UseCategory.ARTIFICIAL_LIMBS: "义肢",
    UseCategory.HEARING_AIDS: "助听器",
    UseCategory.OTHER_REHABILITATION_DEVICE: "其他康复性器具",
}
CX1_EXCLUDED = frozenset({
    UseCategory.NON_THERAPEUTIC_REHABILITATION_AID, UseCategory.SELF_USE_HEALTH_CARE, UseCategory.SELF_USE_MASSAGE,
    UseCategory.SELF_USE_TESTING, UseCategory.SELF_USE_TREATMENT, UseCategory.COSMETIC, UseCategory.BODY_SHAPING,
    UseCategory.NON_FUNCTIONAL_PLASTIC_ORTHOPEDIC, UseCategory.SPECTACLES, UseCategory.DENTURES,
    UseCategory.ARTIFICIAL_EYES, UseCategory.ARTIFICIAL_LIMBS, UseCategory.HEARING_AIDS,
    UseCategory.OTHER_REHABILITATION_DEVICE,
})


class CertificateKind(StrEnum):
    """The drug regulator's document for the product (CA-2): a registration certificate or a filing."""

    REGISTRATION = "registration"  # 医疗器械注册证 / 注册批件
    FILING = "filing"  # 第一类医疗器械备案

    @property
    def label(self) -> str:
        """The Chinese label shown in forms."""
        return "注册证" if self is CertificateKind.REGISTRATION else "备案凭证"


class DocumentKind(StrEnum):
    """The materials of an application (DA-2); items 1–4 are required, the item-5 materials optional."""

    APPLICATION_LETTER = "application_letter"
    APPLICATION_FORM = "application_form"
    CERTIFICATE = "certificate"
    INSTRUCTIONS = "instructions"
    PRICE_MATERIALS = "price_materials"
    ONLINE_PROCUREMENT_MATERIALS = "online_procurement_materials"
    ECONOMIC_EVALUATION = "economic_evaluation"
    FUND_IMPACT = "fund_impact"

    @property
    def label(self) -> str:
        """The Chinese label shown in forms."""
        return _DOCUMENT_LABELS[self]


_DOCUMENT_LABELS = {
    DocumentKind.APPLICATION_LETTER: "医用耗材纳入医保基金支付范围的申请",
    DocumentKind.APPLICATION_FORM: "拟纳入基本医疗保险支付范围医用耗材申请表",
    DocumentKind.CERTIFICATE: "注册批件或备案信息",
    DocumentKind.INSTRUCTIONS: "医用耗材产品说明书",
    DocumentKind.PRICE_MATERIALS: "价格材料",
    DocumentKind.ONLINE_PROCUREMENT_MATERIALS: "网采材料",
    DocumentKind.ECONOMIC_EVALUATION: "经济性评价材料",
    DocumentKind.FUND_IMPACT: "对医保基金支出的影响材料",
}
# DA-2 items 1–4, in the order of the notice.
REQUIRED_DOCUMENTS = (
    DocumentKind.APPLICATION_LETTER, DocumentKind.APPLICATION_FORM, DocumentKind.CERTIFICATE,
    DocumentKind.INSTRUCTIONS,
)


class ProcurementStatus(StrEnum):
    """Whether the product is listed on the province's procurement platform and bought online (网采, DA-2 item 5)."""

    PURCHASED_ONLINE = "purchased_online"  # 已挂网并线上采购
    LISTED = "listed"  # 已挂网
    LISTING_REQUESTED = "listing_requested"  # 挂网申请中
    NOT_LISTED = "not_listed"  # 未挂网

    @property
    def label(self) -> str:
        """The Chinese label shown in forms."""
        return {"purchased_online": "已挂网并线上采购", "listed": "已挂网", "listing_requested": "挂网申请中",
                "not_listed": "未挂网"}[self.value]


class PaymentCategory(StrEnum):
    """The payment category of a catalog entry (CM-2); the values are what CatalogRow stores."""

    A = "甲"  # a maximum payment standard, no prepay ratio
    B = "乙"  # the patient prepays a ratio first; may have no maximum standard


class PriceZone(StrEnum):
    """The price zone marked on a non-selected coronary stent's listing (VBP-4: 高价区/中价区/低价区)."""

    HIGH = "high"
    MIDDLE = "middle"
    LOW = "low"

    @property
    def label(self) -> str:
        """The Chinese label shown in forms."""
        return {"high": "高价区", "middle": "中价区", "low": "低价区"}[self.value]
