"""The service catalogue: every definition under ``schemas/``, loaded and checked once.

A definition is a folder (its name is the service's slug, used in URLs) holding:

* ``service.json``: public information, checked by :class:`engine.definition.ServiceInfo`;
* ``documents.json``: required documents, checked by ``schemas/_meta/documents.schema.json``;
* ``form.schema.json``: the input form, JSON Schema 2020-12, checked by the metaschema
  and by :mod:`engine.schema_rules`; its ``$ref`` resolve only inside ``schemas/``;
* ``sample.json``: the "hồ sơ mẫu", which must validate against the form.

The last two go together, and only together may they be left out: a service of level 1
that only informs (mức độ 1, "chỉ cung cấp thông tin") has no form, takes no dossier
online and is done at the desk; its ``form_schema`` and ``sample`` are None.

The same checks serve start-up (:meth:`Catalog.load` refuses a broken definition)
and the author's ``dichvucong schemas lint`` (:mod:`engine.lint`), so the two can
never disagree.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterator
from importlib import metadata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema
from pydantic import ValidationError as PydanticError

from engine import pointers
from engine.bundle import UNREACHABLE, DocumentError, Problem, SchemaSource, bundle, read_json
from engine.definition import DocumentRequirement, Resolved, ServiceInfo
from engine.online_classification import Classification, classify
from engine.schema_index import SchemaIndex
from engine.schema_rules import check as check_rules, check_bundled
from engine.summary import summary_pointers
from engine.text import fold
from engine.validation import FieldError, FormValidator, compile_schema

# The catalogue: installed from a wheel, the copy the build put in this package
# (setup.py); in a checkout, the repository's schemas/.
_INSTALLED_ROOT = Path(__file__).resolve().parent / "schemas"
DEFAULT_ROOT = _INSTALLED_ROOT if _INSTALLED_ROOT.is_dir() else Path(__file__).resolve().parent.parent / "schemas"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
REQUIRED_FILES = ("service.json", "documents.json")
FORM_FILES = ("form.schema.json", "sample.json")  # both, or neither (an information-only service)
FILES = REQUIRED_FILES + FORM_FILES
INFO_ONLY_LEVEL = 1


@dataclass(frozen=True, eq=False)
class Service:
    slug: str
    info: ServiceInfo
    documents: tuple[DocumentRequirement, ...]
    form_schema: dict | None  # bundled: self-contained, only local "#/..." references; None: no form
    sample: Any  # None when there is no form
    folder: Path
    version: int = 1  # published versions of a service count up from 1; a dossier keeps its own

    @property
    def has_form(self) -> bool:
        """False for a service that only informs: no form, no sample, no dossier online."""
        return self.form_schema is not None

    @cached_property
    def validator(self) -> FormValidator:
        # Without a form, nothing is a dossier of this service: a schema no data passes.
        return compile_schema(self.form_schema if self.has_form else {"$schema": DRAFT_2020_12, "not": {}})

    def validate(self, data: Any) -> list[FieldError]:
        if not self.has_form:
            return [FieldError("", "form", "Dịch vụ này chỉ cung cấp thông tin, không có biểu mẫu nhập liệu")]
        return self.validator.validate(data)

    @cached_property
    def summary_pointers(self) -> tuple[str, ...]:
        """The fields that name a dossier of this service (``x-summary``), found once."""
        return summary_pointers(self.form_schema)

    @property
    def title(self) -> str:
        """The form's own title (the paper form's heading), else the service name."""
        return (self.form_schema or {}).get("title") or self.info.name

    @property
    def online(self) -> bool:
        return self.info.level == 3

    def case_of(self, data: Any) -> str | None:
        """The case a dossier's data chose (``case_field``), or None."""
        if self.info.case_field is None:
            return None
        value = pointers.resolve(data, self.info.case_field, None)
        return value if self.info.case(value) is not None else None

    def terms_for(self, data: Any, method: str) -> Resolved:
        """The time and fees that apply to a dossier with this data, sent by ``method``."""
        return self.info.terms(method, self.case_of(data))

    def document(self, doc_id: str) -> DocumentRequirement | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    @cached_property
    def classification(self) -> Classification:
        """Toàn trình, một phần or neither (Nghị định 42/2022/NĐ-CP), with the reasons."""
        return classify(self.info, self.documents)

    @cached_property
    def search_words(self) -> frozenset[str]:
        return frozenset(re.split(r"[\s,;:()/\-–“”\"]+", self.search_text)) - {""}

    @cached_property
    def search_text(self) -> str:
        # The agency too: "cong an phuong" lists what the ward police receive.
        return fold(" ".join([self.info.name, self.info.field, self.info.code, self.info.agency.name,
                              *self.info.keywords]))


class DefinitionError(Exception):
    """A definition that must not be served; ``problems`` name the file and pointer of each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_PYDANTIC_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (viết sai tên?)",
    "string_too_short": "không được để trống",
    "string_too_long": "quá dài",
    "string_pattern_mismatch": "không đúng định dạng",
    "literal_error": "giá trị không được phép",
    "too_short": "danh sách không được rỗng",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
    "string_type": "phải là chuỗi ký tự",
    "list_type": "phải là danh sách",
    "model_type": "phải là một đối tượng",
}


def _pydantic_problems(exc: PydanticError, file: str) -> Iterator[Problem]:
    for err in exc.errors():
        message = _PYDANTIC_MESSAGES.get(err["type"], err["msg"])
        if err["type"] == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
        elif err["type"] == "literal_error":
            message += f" ({err.get('ctx', {}).get('expected', '')})"
        yield Problem(file, pointers.to_pointer(err["loc"]), message)


_META_VALIDATOR = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)


def check_schema_document(contents: Any, file: str, source: SchemaSource, uri: str) -> list[Problem]:
    """Metaschema and our own rules, for one form or shared-definition document."""
    problems = [
        Problem(file, pointers.to_pointer(err.absolute_path), f"không hợp lệ theo JSON Schema 2020-12: {err.message}")
        for err in _META_VALIDATOR.iter_errors(contents)
    ]
    if not isinstance(contents, dict):
        return problems or [Problem(file, "", "lược đồ phải là một đối tượng JSON")]
    if contents.get("$schema") != DRAFT_2020_12:
        problems.append(Problem(file, "/$schema", f"phải khai báo \"$schema\": \"{DRAFT_2020_12}\""))

    def resolve_title(schema: dict) -> str | None:
        ref = schema.get("$ref")
        seen = 0
        while isinstance(ref, str) and seen < 10:
            try:
                doc_uri, fragment = urldefrag(urljoin(uri, ref))
                target = pointers.resolve(source.document(doc_uri), fragment)
            except (KeyError, ValueError, *UNREACHABLE):
                return None  # the bundler reports the broken reference
            if not isinstance(target, dict):
                return None
            if isinstance(target.get("title"), str):
                return target["title"]
            ref, seen = target.get("$ref"), seen + 1
        return None

    problems.extend(Problem(file, at, message) for at, message in check_rules(contents, resolve_title))
    return problems


_DOCUMENTS_SCHEMA_PATH = DEFAULT_ROOT / "_meta" / "documents.schema.json"


@dataclass
class _Loader:
    """Loads definition folders into Services, collecting every problem on the way."""

    source: SchemaSource
    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, dict] | None = None  # folder name -> its bundled form, known to pass (CheckedForms)

    @cached_property
    def documents_schema(self) -> dict:
        return read_json(_DOCUMENTS_SCHEMA_PATH, "schemas/_meta/documents.schema.json")

    def read(self, path: Path) -> Any:
        try:
            return read_json(path, self.display(path))
        except DocumentError as exc:
            self.problems.append(exc.problem)
            return None

    def display(self, path: Path) -> str:
        return self.source.display(self.source.uri_for(path))

    def load(self, folder: Path) -> Service | None:
        before = len(self.problems)
        present = [name for name in FORM_FILES if (folder / name).exists()]
        if len(present) == 1:  # half a form: say which file is missing, not only "thiếu tệp"
            (missing,) = set(FORM_FILES) - set(present)
            # Named beside the file that is there (a missing file has no path to show).
            missing_file = Path(self.display(folder / present[0])).with_name(missing).as_posix()
            self.problems.append(Problem(missing_file, "", (
                f"thiếu tệp: có {present[0]} thì phải có {missing}; dịch vụ chỉ cung cấp thông tin "
                f"(mức độ 1) thì bỏ cả hai tệp {' và '.join(FORM_FILES)}")))
        raw = {name: self.read(folder / name) for name in (*REQUIRED_FILES, *present)}
        info_only = not present

        info = None
        if raw["service.json"] is not None:
            try:
                info = ServiceInfo.model_validate(raw["service.json"])
            except PydanticError as exc:
                self.problems.extend(_pydantic_problems(exc, self.display(folder / "service.json")))

        documents = self.load_documents(raw["documents.json"], folder / "documents.json")

        if info_only and info is not None:
            self.problems.extend(_info_only_problems(info, documents, self.display(folder / "service.json"),
                                                     self.display(folder / "documents.json")))

        form_schema = None
        form_path = folder / "form.schema.json"
        if raw.get("form.schema.json") is not None and self.checked is not None and folder.name in self.checked:
            form_schema = self.checked[folder.name]  # these very files passed the checks below
        elif raw.get("form.schema.json") is not None:
            uri = self.source.uri_for(form_path)
            self.problems.extend(check_schema_document(raw["form.schema.json"], self.display(form_path), self.source, uri))
            reference_problems: list[Problem] = []
            form_schema = bundle(self.source, uri, reference_problems)
            self.problems.extend(reference_problems)
            if reference_problems:
                form_schema = None  # cannot be compiled; the broken references say why
            else:
                self.problems.extend(Problem(self.display(form_path), at, message)
                                     for at, message in check_bundled(form_schema))

        sample = raw.get("sample.json")
        sample_errors: list[FieldError] = []
        if form_schema is not None and sample is not None:
            # Checked even when other files have problems: the author sees everything at once.
            try:
                sample_errors = compile_schema(form_schema).validate(sample)
            except Exception as exc:  # a schema the validators cannot compile
                self.problems.append(Problem(self.display(form_path), "", f"không dựng được bộ kiểm tra: {exc}"[:300]))
            sample_file = self.display(folder / "sample.json")
            self.problems.extend(Problem(sample_file, e.path, e.message) for e in sample_errors)

        if info is not None and form_schema is not None:
            self.problems.extend(_case_field_problems(info, form_schema, self.display(folder / "service.json")))
            self.problems.extend(_result_document_problems(info, form_schema, self.display(folder / "service.json")))

        if len(self.problems) > before or info is None or documents is None:
            return None
        if form_schema is None and not info_only:
            return None
        return Service(folder.name, info, documents, form_schema, sample, folder)

    def load_documents(self, raw: Any, path: Path) -> tuple[DocumentRequirement, ...] | None:
        if raw is None:
            return None
        file = self.display(path)
        errors = compile_schema(self.documents_schema).validate(raw)
        if errors:
            self.problems.extend(Problem(file, e.path, e.message) for e in errors)
            return None
        seen: set[str] = set()
        for i, doc in enumerate(raw["documents"]):
            if doc["id"] in seen:
                self.problems.append(Problem(file, f"/documents/{i}/id", f"mã giấy tờ '{doc['id']}' bị trùng"))
            seen.add(doc["id"])
        if sum(1 for d in raw["documents"] if d.get("from_form")) > 1:
            self.problems.append(Problem(file, "/documents", "chỉ một giấy tờ được là biểu mẫu nhập liệu (from_form)"))
        return tuple(DocumentRequirement.from_json(d) for d in raw["documents"])


def _info_only_problems(info: ServiceInfo, documents: tuple[DocumentRequirement, ...] | None,
                        service_file: str, documents_file: str) -> Iterator[Problem]:
    """A service without a form only informs: level 1, and nothing that names the form."""
    if info.level != INFO_ONLY_LEVEL:
        yield Problem(service_file, "/level", f"dịch vụ không có biểu mẫu chỉ được ở mức độ {INFO_ONLY_LEVEL} "
                                              "(thêm form.schema.json và sample.json để nhận hồ sơ trực tuyến)")
    if info.case_field is not None:
        yield Problem(service_file, "/case_field", "dịch vụ không có biểu mẫu: không có trường nào để chọn trường hợp")
    if info.result_document is not None:
        yield Problem(service_file, "/result_document", "dịch vụ không có biểu mẫu: không có hồ sơ để in kết quả điện tử")
    for i, doc in enumerate(documents or ()):
        if doc.from_form:
            yield Problem(documents_file, f"/documents/{i}/from_form",
                          "dịch vụ không có biểu mẫu: không giấy tờ nào là biểu mẫu nhập liệu")


def _case_field_problems(info: ServiceInfo, form_schema: dict, file: str) -> Iterator[Problem]:
    """The form field naming the case must offer exactly the cases of ``service.json``:
    a value with no case would fall back to the service's own time silently, and a case
    no citizen can choose would be shown but never apply."""
    if not info.cases:
        return
    if info.case_field is None:
        yield Problem(file, "/cases", "dịch vụ có biểu mẫu và nhiều trường hợp phải khai báo 'case_field'")
        return
    path = tuple(pointers.split(info.case_field))
    offered: set[Any] = set()
    for branch in SchemaIndex(form_schema).field_schemas(path):
        offered |= set(branch.get("enum") or ())
        if "const" in branch:
            offered.add(branch["const"])
    ids = {c.id for c in info.cases}
    if not offered:
        yield Problem(file, "/case_field", f"trường {info.case_field} không có trong biểu mẫu hoặc không liệt kê giá trị (enum)")
    elif offered != ids:
        missing, extra = sorted(ids - offered), sorted(map(str, offered - ids))
        yield Problem(file, "/case_field", "giá trị của trường không khớp mã các trường hợp"
                      + (f"; thiếu: {', '.join(missing)}" if missing else "")
                      + (f"; thừa: {', '.join(extra)}" if extra else ""))


def _result_document_problems(info: ServiceInfo, form_schema: dict, file: str) -> Iterator[Problem]:
    """Every line of the e-result names a field of the form: a misspelt pointer would print
    an empty line on a signed document."""
    if info.result_document is None:
        return
    index = SchemaIndex(form_schema)
    for i, line in enumerate(info.result_document.lines):
        if not index.field_schemas(tuple(pointers.split(line.field))):
            yield Problem(file, f"/result_document/lines/{i}/field", f"trường {line.field} không có trong biểu mẫu")


def is_definition(folder: Path) -> bool:
    return folder.is_dir() and any((folder / name).exists() for name in FILES)


# Folders of a schemas root that hold no service: the working calendar's year files
# (engine.work_calendar), kept here so an installed wheel carries them with the catalogue.
NOT_SERVICES = frozenset({"calendar"})


def definition_folders(root: Path) -> list[Path]:
    """Service folders under a schemas root; names starting with "_" hold shared data,
    and so do the folders of NOT_SERVICES."""
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith(("_", ".")) and p.name not in NOT_SERVICES)


def shared_documents(root: Path) -> list[Path]:
    defs = root / "_defs"
    return sorted(defs.glob("*.json")) if defs.is_dir() else []


def load_folders(folders: list[Path], root: Path, extra: dict[str, Path] | None = None,
                 checked: dict[str, dict] | None = None) -> tuple[list[Service], list[Problem]]:
    """Load the given definition folders (and check ``_defs``); every problem is collected.
    ``checked``: the bundled forms of a root whose files passed every check (CheckedForms)."""
    loader = _Loader(SchemaSource(root, extra), checked=checked)
    for path in shared_documents(root) if checked is None else ():
        contents = loader.read(path)
        if contents is not None:
            uri = loader.source.uri_for(path)
            loader.problems.extend(check_schema_document(contents, loader.display(path), loader.source, uri))
    services = [s for s in (loader.load(folder) for folder in folders) if s is not None]
    loader.problems.extend(_uniqueness_problems(services, loader))
    return services, loader.problems


class CheckedForms:
    """The bundled forms of a schemas root whose files all passed the checks, kept in a file
    named by a hash of everything those checks read: every file under the root, the engine's
    code and the versions of the libraries that check (jsonschema, referencing, pydantic).

    Checking each form against the metaschema and the portal's rules and bundling its
    references take most of a start (about 0.4 s of 0.5 here); a start whose schemas did
    not change since the last one that passed reads the result instead. Any change to a
    file gives another hash, hence a full check. The rest of loading (the service and
    documents files, the sample against its form) is done every time. JSON, not pickle:
    the file is data, and reading it runs nothing."""

    LIBRARIES = ("jsonschema", "referencing", "pydantic", "jsonschema-rs")

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder = folder
        self.path = folder / f"checked-forms-{self._fingerprint(root)}.json"

    @classmethod
    def _fingerprint(cls, root: Path) -> str:
        digest = hashlib.sha256()
        code = Path(__file__).resolve().parent
        files = [(root, p) for p in sorted(root.rglob("*")) if p.is_file()]
        files += [(code, p) for p in sorted(code.glob("*.py"))]
        for base, path in files:
            digest.update(f"{base == code}:{path.relative_to(base).as_posix()}\0".encode())
            digest.update(path.read_bytes() + b"\0")
        for name in cls.LIBRARIES:
            try:
                digest.update(f"{name}={metadata.version(name)}\0".encode())
            except metadata.PackageNotFoundError:
                digest.update(f"{name}=\0".encode())
        return digest.hexdigest()[:32]

    def read(self) -> dict[str, dict] | None:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def write(self, forms: dict[str, dict]) -> None:
        """Keep ``forms`` (written whole or not at all), and drop the files of older schemas."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temp = self.folder / f".{self.path.name}.{secrets.token_hex(4)}"
            temp.write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
            os.replace(temp, self.path)
            for old in self.folder.glob("checked-forms-*.json"):
                if old != self.path:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only instance: every start checks everything, as without a cache


def load_published(folder: Path, slug: str, number: int) -> Service:
    """A published version (a folder whose form is already bundled) as ``slug`` version
    ``number``; DefinitionError names the file at fault."""
    # Its form is bundled: nothing outside the folder is reachable, or needed.
    services, problems = load_folders([folder], folder.parent)
    if problems or not services:
        raise DefinitionError(problems or [Problem(folder.as_posix(), "", "không đọc được định nghĩa")])
    return dataclasses.replace(services[0], slug=slug, version=number)


def _uniqueness_problems(services: list[Service], loader: _Loader) -> Iterator[Problem]:
    by_code: dict[str, Service] = {}
    for service in services:
        other = by_code.setdefault(service.info.code, service)
        if other is not service:
            yield Problem(loader.display(service.folder / "service.json"), "/code",
                          f"mã thủ tục {service.info.code} trùng với {other.slug}")


class Catalog:
    """Every published service, by slug, in the order citizens browse them.

    A service may have several versions: iteration, ``get`` and ``search`` give the
    newest, ``version(slug, n)`` any of them (a dossier is always shown, checked and
    printed with the version it was created with). A withdrawn service is no longer
    listed and takes no new dossier, but its versions stay for the dossiers it has."""

    def __init__(self, services: list[Service], withdrawn: frozenset[str] = frozenset()):
        self._versions: dict[str, dict[int, Service]] = {}
        for service in services:
            self._versions.setdefault(service.slug, {})[service.version] = service
        newest = [versions[max(versions)] for versions in self._versions.values()]
        ordered = sorted(newest, key=lambda s: (fold(s.info.field), fold(s.info.name)))
        self._services = {s.slug: s for s in ordered}
        self.withdrawn = frozenset(withdrawn)

    @classmethod
    def load(cls, root: Path = DEFAULT_ROOT, cache: Path | None = None) -> Catalog:
        """The services under ``root``. With ``cache`` (a folder), the checks of the forms
        against the metaschema and the portal's rules, and their bundling, are skipped when
        ``root`` holds the same files as when they last passed (see CheckedForms)."""
        forms = CheckedForms(cache, root) if cache is not None else None
        checked = forms.read() if forms is not None else None
        services, problems = load_folders(definition_folders(root), root, checked=checked)
        if problems:
            raise DefinitionError(problems)
        if forms is not None and checked is None:
            forms.write({s.folder.name: s.form_schema for s in services if s.has_form})
        return cls(services)

    def with_version(self, service: Service) -> Catalog:
        """A catalogue that also holds ``service`` (a newly published version)."""
        everything = [s for versions in self._versions.values() for s in versions.values()]
        return Catalog([*everything, service], self.withdrawn)

    def with_withdrawn(self, slug: str, withdrawn: bool = True) -> Catalog:
        everything = [s for versions in self._versions.values() for s in versions.values()]
        return Catalog(everything, self.withdrawn | {slug} if withdrawn else self.withdrawn - {slug})

    def latest(self) -> list[Service]:
        """The newest version of every service, withdrawn ones included (for the desk)."""
        return list(self._services.values())

    def version(self, slug: str, number: int) -> Service | None:
        return self._versions.get(slug, {}).get(number)

    def versions(self, slug: str) -> list[Service]:
        return [v for _, v in sorted(self._versions.get(slug, {}).items())]

    def offered(self, slug: str) -> bool:
        """Does the service take new dossiers (published, newest version, not withdrawn)?"""
        return slug in self._services and slug not in self.withdrawn

    def __iter__(self) -> Iterator[Service]:
        return (s for s in self._services.values() if s.slug not in self.withdrawn)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, slug: object) -> bool:
        return slug in self._services

    def get(self, slug: str) -> Service | None:
        return self._services.get(slug)

    def __getitem__(self, slug: str) -> Service:
        return self._services[slug]

    def by_field(self) -> dict[str, list[Service]]:
        fields: dict[str, list[Service]] = {}
        for service in self:
            fields.setdefault(service.info.field, []).append(service)
        return fields

    def search(self, query: str) -> list[Service]:
        """Services whose name, field, national code, agency or keywords contain every word of
        ``query``, accents and case aside."""
        words = fold(query).split()
        # Each word typed begins a word of the service's text ("ho kinh doa" while typing),
        # rather than appearing anywhere in it: "an" must not find every "ban".
        return [s for s in self if all(any(known.startswith(w) for known in s.search_words) for w in words)]
