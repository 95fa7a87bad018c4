"""The build step pyproject.toml cannot declare (its settings are all there).

A wheel carries, besides the packages' modules and their templates and static files
(``[tool.setuptools.package-data]``):

- the interface's translations compiled (``web/translations/*/LC_MESSAGES/messages.mo``):
  the .mo files are not kept in git, so they are compiled from the .po files here, with
  Babel's own compiler (``babel`` is in ``[build-system] requires``);
- the service catalogue, ``schemas/`` (``_defs``, ``_meta`` and every service folder),
  copied to ``engine/schemas/``, where ``engine.catalog.DEFAULT_ROOT`` finds it once
  installed.

An editable install (``pip install -e .``, what ``make`` does) needs neither: it runs
from the checkout, whose ``schemas/`` serves as it is and whose .mo files ``make``
compiles.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
CATALOGUE = "schemas"
TRANSLATIONS = Path("web") / "translations"


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        build = Path(self.build_lib)
        self._compile_translations(build)
        target = build / "engine" / CATALOGUE
        shutil.rmtree(target, ignore_errors=True)  # a file deleted from schemas/ leaves no stale copy
        shutil.copytree(HERE / CATALOGUE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    def _compile_translations(self, build: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted((HERE / TRANSLATIONS).glob("*/LC_MESSAGES/*.po")):
            mo = build / po.relative_to(HERE).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parents[1].name)
            with mo.open("wb") as out:
                write_mo(out, catalog)


setup(cmdclass={"build_py": BuildWithData})
