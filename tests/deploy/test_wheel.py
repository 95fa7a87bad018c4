"""The package as an operator installs it: a wheel built from the sources, installed in a
fresh virtualenv outside the repository, serves the household business form.

The wheel is built from a copy of what a clone holds (git's tracked and untracked,
not-ignored files: never a stale build/ or a compiled .mo of the checkout), with this
venv's build requirements (``--no-build-isolation``: setuptools and babel, already here,
are not downloaded again). The fresh venv sees this venv's site-packages for the
dependencies (a .pth line: such a folder's own .pth files, among them the editable
install's finder, are not run), and the test checks that ``web`` is imported from the
wheel, not from the repository.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.browser_form import controls, submit

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
VENV_BIN = Path(sys.executable).parent

# Run by the fresh venv's interpreter, in a folder outside the repository: the app with
# its defaults (the installed catalogue, templates, static files and translations), a
# demo citizen signed in, the form page, a stylesheet and the home page in English.
SERVE = """
import json, sys
import datetime, engine.catalog, engine.workdays, web
from web import create_app
from web.cli import main

app = create_app({"INSTANCE_PATH": sys.argv[1], "WTF_CSRF_ENABLED": False, "PASSWORD_PROFILE": "CHEAPEST"})
assert app.test_cli_runner().invoke(main, ["demo"]).exit_code == 0
client = app.test_client()
signed_in = client.post("/dang-nhap", data={"username": "congdan", "password": "congdan-2025"})
form = client.get("/dich-vu/%s/dang-ky-ho-so" % sys.argv[2])
css = client.get("/static/css/site.css")
client.set_cookie("lang", "en")
english = client.get("/")
print(json.dumps({
    "web": web.__file__, "catalogue": str(engine.catalog.DEFAULT_ROOT), "services": len(app.extensions["portal"].catalog),
    "calendar": str(engine.workdays.year_file(2026).path),
    "friday_2_january_2026": engine.workdays.is_working_day(datetime.date(2026, 1, 2)),
    "signed_in": signed_in.status_code, "form": [form.status_code, form.get_data(as_text=True)],
    "css": [css.status_code, css.content_type], "english": english.get_data(as_text=True),
}))
"""


def _source_copy(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():  # a file deleted but not yet committed is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel installed; its interpreter."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = _source_copy(tmp / "source")
    subprocess.run([VENV_BIN / "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir",
                    tmp / "dist", source], check=True, capture_output=True)
    wheel, = (tmp / "dist").glob("dichvucong-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([VENV_BIN / "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel],
                   check=True, capture_output=True)
    return python


def test_the_installed_wheel_serves_the_household_business_form(installed, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = subprocess.run([installed, "-c", SERVE, str(tmp_path / "instance"), HOUSEHOLD], cwd=outside,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    venv = installed.parent.parent
    # The wheel's own code and catalogue, not the repository's.
    assert Path(seen["web"]).is_relative_to(venv) and not Path(seen["web"]).is_relative_to(ROOT), seen["web"]
    assert Path(seen["catalogue"]).is_relative_to(venv), seen["catalogue"]
    # The working calendar's year files ship with the catalogue (schemas/calendar/).
    assert Path(seen["calendar"]).is_relative_to(venv) and seen["friday_2_january_2026"] is False, seen["calendar"]
    assert seen["services"] == len([p for p in (ROOT / "schemas").iterdir() if (p / "service.json").is_file()])
    assert seen["signed_in"] == 302
    command = installed.parent / "dichvucong"  # the entry point, run by the venv's interpreter
    assert command.read_text().splitlines()[0] == f"#!{installed}"
    status, html = seen["form"]
    assert status == 200
    form = json.loads((ROOT / "schemas" / HOUSEHOLD / "form.schema.json").read_text(encoding="utf-8"))
    titles = [field["title"] for field in form["properties"].values() if "title" in field]
    assert titles and all(title in html for title in titles), titles
    # The dossier form (after the header's sign-out form): a control for every part of the
    # form, and what a browser would send holds the signed-in citizen's name.
    dossier_form = html[html.index('<form method="post" enctype="multipart/form-data"'):]
    names = {control["name"] for control in controls(dossier_form)}
    assert {name.split("/")[1] for name in names if name.startswith("#/")} >= set(form["properties"]), sorted(names)
    assert submit(dossier_form)["#/owner/fullName"] == "Nguyễn Thị Thu Hà"
    assert seen["css"] == [200, "text/css; charset=utf-8"]
    # The compiled translation: the footer's "Dịch vụ công trực tuyến".
    assert "Online public services" in seen["english"] and "Dịch vụ công trực tuyến" not in seen["english"]

