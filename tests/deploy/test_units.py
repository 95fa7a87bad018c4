"""The systemd units in deploy/ (docs/deployment.md) as systemd itself reads them:
`systemd-analyze verify` finds nothing wrong but the installed command, which exists only
on a machine where the portal is installed as the guide says."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze (Debian's systemd) is not on this machine")
@pytest.mark.parametrize("unit", ["dichvucong.service", "dichvucong-mail.service"])
def test_the_unit_is_valid(unit, tmp_path):
    copy = tmp_path / unit  # verify reads the unit's name from its file name
    copy.write_text((DEPLOY / unit).read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run([ANALYZE, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "/opt/dichvucong/venv/bin/dichvucong is not executable" not in line]
    # Its exit status is 1 for the missing command alone; a bad key or value is a line of its own.
    assert problems == [], problems


def test_the_mail_service_runs_the_sender_with_the_portal_s_settings_and_folder():
    portal, mail = ((DEPLOY / name).read_text(encoding="utf-8") for name in ("dichvucong.service",
                                                                              "dichvucong-mail.service"))
    assert "ExecStart=/opt/dichvucong/venv/bin/dichvucong mail work" in mail
    for line in ("EnvironmentFile=/etc/dichvucong/dichvucong.env", "Environment=DVC_INSTANCE=/var/lib/dichvucong",
                 "User=dichvucong"):
        assert line in portal and line in mail, line
