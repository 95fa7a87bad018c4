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

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

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


Method = Literal["truc-tiep", "truc-tuyen", "buu-chinh"]
# How a time limit counts: working days (the default), or calendar days ("15 ngày" of the
# construction law), whose last day moves to the next working day when it is a day off
# (Bộ luật Dân sự 2015, Art 148).
DayCount = Literal["lam-viec", "lich"]


class Terms(_Strict):
    """What differs from the service's own time and fees for one method or one case;
    a field left out keeps the value it overrides."""

    processing_days: int | None = Field(default=None, ge=0, le=365)
    day_count: DayCount | None = None
    processing_note: str | None = None
    fees: list[Fee] | None = None


class Case(Terms):
    """A case (trường hợp) of the procedure with its own time or fees, e.g. 1 working day
    for a copy from the electronic register and 15 when the paper register must be read.
    ``by_method`` overrides it again for a submission method."""

    id: Slug
    name: ShortText
    by_method: dict[Method, Terms] = {}


@dataclass(frozen=True)
class Resolved:
    """The time and fees that apply to one dossier (or one row of the service page)."""

    processing_days: int
    day_count: DayCount
    processing_note: str
    fees: tuple[Fee, ...]


@dataclass(frozen=True)
class TermRow:
    """One row of the service page's table of times and fees: a case (None when the
    service has none) and the methods that share the same time and fees in it."""

    case: str | None
    methods: tuple[str, ...]
    terms: Resolved


class LegalBasis(_Strict):
    number: ShortText  # số ký hiệu, e.g. "168/2025/NĐ-CP"
    title: Text  # loại văn bản, trích yếu
    issued: dt.date
    issuer: ShortText


Pointer = Annotated[str, StringConstraints(pattern=r"^(/[^/]+)+$", max_length=200)]  # into a dossier's data


class ResultLine(_Strict):
    label: ShortText  # "Họ, chữ đệm và tên"
    field: Pointer  # the form field printed after it, shown as the dossier PDF shows it


class ResultDocument(_Strict):
    """The e-result the portal issues for a service whose result is returned online
    (``result_online``): when the clerk records the result without uploading a file, the
    document is printed from this, signed with the agency's key and recorded, as an
    uploaded result would be. Lines name form fields; the clerk's "Kết quả giải quyết"
    text is printed under ``note_label``. Plain text only: the layout is the portal's
    (renderers/templates/pdf/e_result.html), so a definition can print nothing else."""

    title: ShortText  # "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ"
    form_number: ShortText | None = None  # "Mẫu CT07"
    opening: Text  # the sentence before the lines
    lines: list[ResultLine] = Field(min_length=1, max_length=30)
    note_label: ShortText = "Nội dung"
    closing: Text | None = None  # the sentence after them ("Văn bản có giá trị ...")


class ServiceInfo(_Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]\.[0-9]{6}$")]  # mã thủ tục quốc gia
    name: ShortText
    field: ShortText  # lĩnh vực
    agency: Agency
    level: Literal[1, 2, 3]  # mức độ dịch vụ công trực tuyến
    summary: Text
    applicants: list[ShortText] = Field(min_length=1)  # đối tượng thực hiện
    conditions: list[Text] = []  # yêu cầu, điều kiện
    methods: list[Method] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    processing_days: int = Field(ge=0, le=365)  # ngày làm việc; 0 = trả trong ngày
    day_count: DayCount = "lam-viec"
    processing_note: str = ""
    fees: list[Fee] = []  # empty: không mất phí
    by_method: dict[Method, Terms] = {}  # e.g. a lower fee online
    cases: list[Case] = []
    # The form field (a JSON pointer into the dossier's data) whose value names the case;
    # the catalogue checks that its values are exactly the case ids.
    case_field: Annotated[str, StringConstraints(pattern=r"^(/[^/]+)+$", max_length=200)] | None = None
    result: ShortText
    legal_basis: list[LegalBasis] = Field(min_length=1)
    keywords: list[ShortText] = []  # other words citizens search with
    # The date of the national portal's record this definition was checked against
    # (its "updatedAt"); None for a service written from the legal texts alone.
    record_updated: dt.date | None = None
    # Online dossiers (Nghị định 42/2022/NĐ-CP): fees paid online, result returned online
    # (an electronic copy, or a database updated and the citizen told), and the stated
    # "toàn trình" / "một phần" that engine.online_classification derives and the lint checks.
    online_payment: bool = False
    result_online: bool = False
    online_service: Literal["toan-trinh", "mot-phan"] | None = None
    result_document: ResultDocument | None = None

    @field_validator("methods")
    @classmethod
    def _online_level_needs_online_method(cls, methods, info):
        if info.data.get("level") == 3 and "truc-tuyen" not in methods:
            raise ValueError("dịch vụ mức độ 3 phải có cách thức 'truc-tuyen'")
        return methods

    @model_validator(mode="after")
    def _result_document_is_returned_online(self):
        if self.result_document is not None and not self.result_online:
            raise ValueError("result_document: chỉ dùng cho dịch vụ trả kết quả trực tuyến (result_online)")
        return self

    @model_validator(mode="after")
    def _terms_name_known_methods_and_unique_cases(self):
        for where, by_method in [("by_method", self.by_method)] + [
                (f"cases/{i}/by_method", c.by_method) for i, c in enumerate(self.cases)]:
            unknown = sorted(set(by_method) - set(self.methods))
            if unknown:
                raise ValueError(f"{where}: cách thức {', '.join(unknown)} không có trong 'methods'")
        ids = [c.id for c in self.cases]
        if len(set(ids)) != len(ids):
            raise ValueError("cases: mã trường hợp bị trùng")
        if self.case_field and not self.cases:
            raise ValueError("case_field: cần khai báo 'cases'")
        return self

    def case(self, case_id: str | None) -> Case | None:
        return next((c for c in self.cases if c.id == case_id), None)

    def terms(self, method: str, case_id: str | None = None) -> Resolved:
        """The time and fees for a method and a case: the service's own values, then
        what the method changes, then the case, then the case for that method."""
        layers: list[Terms] = [self.by_method.get(method)]
        case = self.case(case_id)
        if case is not None:
            layers += [case, case.by_method.get(method)]
        days, count, note, fees = self.processing_days, self.day_count, self.processing_note, self.fees
        for layer in filter(None, layers):
            days = days if layer.processing_days is None else layer.processing_days
            count = layer.day_count or count
            note = note if layer.processing_note is None else layer.processing_note
            fees = fees if layer.fees is None else layer.fees
        return Resolved(days, count, note, tuple(fees))

    def term_rows(self) -> list[TermRow]:
        """Every case and method, methods with equal terms in one row (a single row when
        nothing differs)."""
        rows: list[TermRow] = []
        for case in self.cases or [None]:
            groups: dict[Resolved, list[str]] = {}
            for method in self.methods:
                groups.setdefault(self.terms(method, case.id if case else None), []).append(method)
            rows += [TermRow(case.name if case else None, tuple(ms), t) for t, ms in groups.items()]
        return rows


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
