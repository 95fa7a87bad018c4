"""The public information of a service (``service.json``), checked by Pydantic.

The field names are the JSON keys an agency author writes; ``docs/authoring.md``
describes each one. The required documents (``documents.json``) are checked by a
JSON Schema (``schemas/_meta/documents.schema.json``) and read into
:class:`DocumentRequirement`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Agency(_Strict):
    code: Slug  # clerks are assigned to agencies by this code
    name: ShortText


class Step(_Strict):
    title: ShortText
    description: Text


class Fee(_Strict):
    name: ShortText
    # In đồng; null when the provincial People's Council (HĐND) sets the amount, as for
    # many civil-status fees: the page then says so instead of showing "0 đồng" (free).
    amount: int | None = Field(ge=0, le=1_000_000_000)
    note: str = ""


class LegalBasis(_Strict):
    number: ShortText  # số ký hiệu, e.g. "168/2025/NĐ-CP"
    title: Text  # loại văn bản, trích yếu
    issued: dt.date
    issuer: ShortText


class ServiceInfo(_Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]\.[0-9]{6}$")]  # mã thủ tục quốc gia
    name: ShortText
    field: ShortText  # lĩnh vực
    agency: Agency
    level: Literal[1, 2, 3]  # mức độ dịch vụ công trực tuyến
    summary: Text
    applicants: list[ShortText] = Field(min_length=1)  # đối tượng thực hiện
    conditions: list[Text] = []  # yêu cầu, điều kiện
    methods: list[Literal["truc-tiep", "truc-tuyen", "buu-chinh"]] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    processing_days: int = Field(ge=0, le=365)  # ngày làm việc; 0 = trả trong ngày
    processing_note: str = ""
    fees: list[Fee] = []  # empty: không mất phí
    result: ShortText
    legal_basis: list[LegalBasis] = Field(min_length=1)
    keywords: list[ShortText] = []  # other words citizens search with

    @field_validator("methods")
    @classmethod
    def _online_level_needs_online_method(cls, methods, info):
        if info.data.get("level") == 3 and "truc-tuyen" not in methods:
            raise ValueError("dịch vụ mức độ 3 phải có cách thức 'truc-tuyen'")
        return methods


METHOD_NAMES = {"truc-tiep": "Trực tiếp", "truc-tuyen": "Trực tuyến", "buu-chinh": "Qua dịch vụ bưu chính"}


@dataclass(frozen=True)
class Upload:
    accept: tuple[str, ...]  # "pdf", "jpeg", "png": checked by content
    max_size_mb: float
    required: bool  # must be uploaded before the dossier can be submitted online


@dataclass(frozen=True)
class DocumentRequirement:
    id: str
    name: str
    mandatory: bool
    originals: int  # bản chính
    copies: int  # bản sao
    note: str = ""
    from_form: bool = False  # the generated form itself is this document
    upload: Upload | None = None

    @classmethod
    def from_json(cls, raw: dict) -> DocumentRequirement:
        upload = raw.get("upload")
        return cls(
            id=raw["id"],
            name=raw["name"],
            mandatory=raw["mandatory"],
            originals=raw["originals"],
            copies=raw["copies"],
            note=raw.get("note", ""),
            from_form=raw.get("from_form", False),
            upload=Upload(
                accept=tuple(upload["accept"]),
                max_size_mb=upload["max_size_mb"],
                required=upload.get("required", raw["mandatory"]),
            )
            if upload
            else None,
        )

    @property
    def quantity_text(self) -> str:
        parts = []
        if self.originals:
            parts.append(f"Bản chính: {self.originals}")
        if self.copies:
            parts.append(f"Bản sao: {self.copies}")
        return "; ".join(parts)
