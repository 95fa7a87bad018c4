"""Whether a service is a "dịch vụ công trực tuyến toàn trình" or "một phần"
(Nghị định 42/2022/NĐ-CP, Art 11), derived from its definition.

Toàn trình: the whole procedure happens online. The dossier is filed online (level 3,
method ``truc-tuyen``), every mandatory document is the generated form itself or can be
uploaded, the fees (if any) are paid online (``online_payment``) and the result is
returned online (``result_online``): the citizen never comes to the desk. Một phần: filed
online, but some step happens in person; the reasons say which. A service not filed
online is neither (it only gives information, or a form to print).

``service.json`` may state its classification (``online_service``); the lint
(:mod:`engine.lint`) checks it against what is derived here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable

from engine.definition import DocumentRequirement, Fee, ServiceInfo


class OnlineKind(StrEnum):
    FULL = "toan-trinh"
    PARTIAL = "mot-phan"


NAMES = {OnlineKind.FULL: "Dịch vụ công trực tuyến toàn trình",
         OnlineKind.PARTIAL: "Dịch vụ công trực tuyến một phần"}


@dataclass(frozen=True)
class Classification:
    kind: OnlineKind | None
    reasons: tuple[str, ...] = ()  # why it is not toàn trình (Vietnamese), empty when it is

    @property
    def name(self) -> str | None:
        return NAMES.get(self.kind) if self.kind else None


def _online_fees(info: ServiceInfo) -> list[Fee]:
    """The fees an online dossier may owe (amount not 0), in any of the service's cases."""
    case_ids: list[str | None] = [None, *(c.id for c in info.cases)]
    seen: dict[str, Fee] = {}
    for case_id in case_ids:
        for fee in info.terms("truc-tuyen", case_id).fees:
            if fee.amount != 0:
                seen.setdefault(fee.name, fee)
    return list(seen.values())


def classify(info: ServiceInfo, documents: Iterable[DocumentRequirement]) -> Classification:
    if info.level != 3 or "truc-tuyen" not in info.methods:
        return Classification(None, (f"Không nộp hồ sơ trực tuyến (mức độ {info.level})",))
    reasons = [f"Giấy tờ phải nộp bản giấy: {doc.name}" for doc in documents
               if doc.mandatory and not doc.from_form and doc.upload is None]
    fees = _online_fees(info)
    if fees and not info.online_payment:
        reasons.append("Phí, lệ phí không thanh toán trực tuyến: " + "; ".join(f.name for f in fees))
    if not info.result_online:
        reasons.append("Nhận kết quả tại Bộ phận một cửa")
    return Classification(OnlineKind.PARTIAL if reasons else OnlineKind.FULL, tuple(reasons))

