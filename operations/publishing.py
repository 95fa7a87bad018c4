"""Publishing service definitions: the checks, the new version, and the catalogue after it.

One code path (no Flask) for the browser (``web.authoring``) and ``dichvucong schemas publish``:

* :func:`check` runs the checks of ``dichvucong schemas lint`` on a definition folder,
  plus one across the catalogue: a national code (``service.json`` ``code``) belongs
  to one service only;
* :func:`publish` writes the checked folder as the service's next version
  (``storage.definitions``), its form bundled so that later edits of ``schemas/_defs``
  never change a published version;
* :class:`CatalogSync` keeps a process's catalogue (the built-in ``schemas/``, every
  published version, the withdrawals) in step with what any process published.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from engine.bundle import DocumentError, Problem, read_json
from engine.catalog import DEFAULT_ROOT, Catalog, DefinitionError, Service, load_published
from engine.lint import lint
from storage.definitions import SLUG, DefinitionStore, PublishedVersion


def N_(text: str) -> str:
    """Marks a text for the translation catalogue (pybabel's ``N_``) without translating it
    here: this module also serves the command line; the web page translates it where shown."""
    return text


SLUG_HINT = N_("chữ thường không dấu, chữ số, các từ nối bằng dấu gạch ngang, tối đa 64 ký tự, ví dụ "
               "dang-ky-ho-kinh-doanh")


@dataclass
class Checked:
    """A checked definition: the service (with the version it would get) or its problems."""

    service: Service | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.service is not None and not self.problems


def every_version(catalog: Catalog) -> list[Service]:
    return [v for s in catalog.latest() for v in catalog.versions(s.slug)]


def next_version(catalog: Catalog, slug: str) -> int:
    return max((s.version for s in catalog.versions(slug)), default=0) + 1


def check(folder: Path, slug: str, catalog: Catalog, relative: bool = False,
          schemas_root: Path = DEFAULT_ROOT) -> Checked:
    """Every problem of the definition in ``folder``, to be published as ``slug``; its
    ``../_defs/`` references resolve in ``schemas_root`` (the catalogue's).

    With ``relative``, files of the folder are named relative to it (``service.json``),
    as the author uploaded them; else as ``dichvucong schemas lint`` names them."""
    folder = folder.resolve()

    def shown(problem: Problem) -> Problem:
        if not relative:
            return problem
        path = Path(problem.file)
        path = path if path.is_absolute() else Path.cwd() / path
        try:
            return dataclasses.replace(problem, file=path.resolve().relative_to(folder).as_posix())
        except ValueError:
            return problem

    if not SLUG.fullmatch(slug):
        return Checked(None, [Problem("", "", f"mã dịch vụ '{slug}' không hợp lệ ({SLUG_HINT})")])
    report = lint([folder], schemas_root)
    problems = [shown(p) for p in report.problems]
    service = report.services[0] if report.services else None
    if service is not None:
        service = dataclasses.replace(service, slug=slug, version=next_version(catalog, slug))
    # Checked even when the definition has other problems: the author sees everything at once.
    code = service.info.code if service is not None else _raw_code(folder / "service.json")
    other = next((s for s in every_version(catalog) if s.slug != slug and s.info.code == code), None)
    if code is not None and other is not None:
        file = shown(Problem(_display(folder / "service.json"), "", "")).file
        problems.append(Problem(file, "/code", f"mã thủ tục {code} đã được dùng cho dịch vụ {other.slug} "
                                               f"({other.info.name})"))
    return Checked(None if problems else service, problems)


def _raw_code(path: Path) -> str | None:
    """The national code of a service.json that did not load (its problems are reported apart)."""
    try:
        code = read_json(path, path.name).get("code")
    except (DocumentError, AttributeError):
        return None
    return code if isinstance(code, str) else None


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def publish(store: DefinitionStore, catalog: Catalog, folder: Path, slug: str, relative: bool = False,
            schemas_root: Path = DEFAULT_ROOT) -> Service:
    """Check ``folder`` and publish it as the next version of ``slug``; DefinitionError
    lists the problems when there are any (nothing is written then)."""
    checked = check(folder, slug, catalog, relative, schemas_root)
    if not checked.ok:
        raise DefinitionError(checked.problems)
    service = checked.service
    files = {name: (folder / name).read_bytes() for name in ("service.json", "documents.json")}
    if service.has_form:  # a service that only informs has neither form nor sample
        files["sample.json"] = (folder / "sample.json").read_bytes()
        files["form.schema.json"] = (json.dumps(service.form_schema, ensure_ascii=False, indent=1) + "\n").encode()
    number = store.publish(slug, files, next_version(catalog, slug) - 1, verify=lambda temp: load_folder(temp, slug, 0))
    return load_version(store.version(slug, number))


def load_folder(folder: Path, slug: str, number: int) -> Service:
    """A published version as it will be served; DefinitionError names the file at fault."""
    return load_published(folder, slug, number)


def load_version(version: PublishedVersion) -> Service:
    return load_folder(version.folder, version.slug, version.number)


class CatalogSync:
    """A process's catalogue: the built-in definitions, every published version, the withdrawals.

    ``load`` builds it (DefinitionError, naming each file, when a published version no
    longer loads); ``refresh`` rebuilds it only when the store's revision changed since,
    which costs one stat() when nothing did. Published versions never change, so each
    is loaded once per process."""

    def __init__(self, builtin: Catalog, store: DefinitionStore) -> None:
        self.builtin = builtin
        self.store = store
        self._loaded: dict[tuple[str, int], Service] = {}
        self._seen: object = object()
        self._lock = threading.Lock()

    def changed(self) -> bool:
        return self.store.revision() != self._seen

    def load(self) -> Catalog:
        with self._lock:
            return self._load()

    def refresh(self) -> Catalog | None:
        """The new catalogue if another process (or this one) published or withdrew since."""
        if not self.changed():
            return None
        with self._lock:
            if not self.changed():  # another thread of this process got here first
                return None
            return self._load()

    def _load(self) -> Catalog:
        # Read before the folders: a publish in between is seen by the next refresh.
        self._seen = self.store.revision()
        builtin = every_version(self.builtin)
        taken = {(s.slug, s.version): s for s in builtin}
        problems: list[Problem] = []
        published: list[Service] = []
        for version in self.store.versions():
            key = (version.slug, version.number)
            if key in taken:
                problems.append(Problem(_display(version.folder), "", f"phiên bản {version.number} của {version.slug} "
                                        f"trùng với định nghĩa có sẵn {_display(taken[key].folder)}"))
                continue
            if key not in self._loaded:
                try:
                    self._loaded[key] = load_version(version)
                except DefinitionError as exc:
                    problems.extend(exc.problems)
                    continue
            published.append(self._loaded[key])
        owners: dict[str, str] = {}
        for service in builtin:
            owners.setdefault(service.info.code, service.slug)
        for service in published:
            owner = owners.setdefault(service.info.code, service.slug)
            if owner != service.slug:
                problems.append(Problem(_display(service.folder / "service.json"), "/code",
                                        f"mã thủ tục {service.info.code} trùng với {owner}"))
        if problems:
            raise DefinitionError(problems)
        return Catalog([*builtin, *published], self.store.withdrawn())


class UnknownService(LookupError):
    """No service of the catalogue has this slug."""


def withdraw(store: DefinitionStore, catalog: Catalog, slug: str, withdrawn: bool = True) -> Service:
    """Stop (or, ``withdrawn=False``, resume) taking new dossiers for ``slug``; dossiers
    already made go on being processed. Every process sees it on its next request."""
    service = catalog.get(slug)
    if service is None:
        raise UnknownService(slug)
    store.set_withdrawn(slug, withdrawn)
    return service
