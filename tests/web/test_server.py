"""The production server's settings (web/server.py) as an operator meets them: where the
workers' metrics go, what happens to a dead worker's, and the gunicorn settings
``dichvucong run`` hands over. The server itself runs in tests/web/test_access_log.py
(its access log) and tests/deploy/test_nginx.py (behind nginx)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from web import server
from web.server import METRICS_VARIABLE, PortalServer, metrics_folder, options


def test_the_metrics_folder_is_made_empty_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(METRICS_VARIABLE, raising=False)
    old = tmp_path / "metrics" / "counter_4242.db"  # left by an earlier run: its counts would add up
    old.parent.mkdir()
    old.write_bytes(b"x")
    folder, set_here = metrics_folder(tmp_path)
    assert set_here and folder == tmp_path / "metrics" and list(folder.iterdir()) == []
    assert os.environ[METRICS_VARIABLE] == str(folder)


def test_the_operator_s_metrics_folder_is_made_if_missing_and_left_as_it_is(tmp_path, monkeypatch):
    chosen = tmp_path / "run" / "dichvucong"
    monkeypatch.setenv(METRICS_VARIABLE, str(chosen))
    assert metrics_folder(tmp_path / "instance") == (chosen, False) and chosen.is_dir()
    (chosen / "gauge_livesum_1.db").write_bytes(b"x")
    assert metrics_folder(tmp_path / "instance") == (chosen, False)
    assert [p.name for p in chosen.iterdir()] == ["gauge_livesum_1.db"]
    assert not (tmp_path / "instance" / "metrics").exists()


def test_a_dead_worker_s_live_gauges_leave_the_metrics(tmp_path):
    """gunicorn's child_exit hook, as the master calls it once a worker has exited: the
    worker's "live" gauge files go (prometheus_client reads the folder when it is imported,
    hence a process of its own)."""
    script = """
import json, os, sys, types
os.environ["PROMETHEUS_MULTIPROC_DIR"] = sys.argv[1]
from prometheus_client import Gauge
Gauge("dichvucong_busy_threads", "threads answering", multiprocess_mode="livesum").set(3)
from web.server import options
before = sorted(os.listdir(sys.argv[1]))
options("127.0.0.1", 8000, 2, 4)["child_exit"](None, types.SimpleNamespace(pid=os.getpid()))
print(json.dumps([before, sorted(os.listdir(sys.argv[1]))]))
"""
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                            timeout=60, check=True)
    before, after = json.loads(result.stdout.splitlines()[-1])
    live = [name for name in before if name.startswith("gauge_livesum_")]
    assert len(live) == 1 and not any(name.startswith("gauge_livesum_") for name in after)
    assert set(after) == set(before) - set(live)  # its counters stay: they still add up


def test_gunicorn_gets_the_portal_s_settings():
    cfg = PortalServer(options("127.0.0.1", 8000, 3, 5)).cfg
    assert cfg.bind == ["127.0.0.1:8000"] and cfg.workers == 3 and cfg.threads == 5
    assert cfg.worker_class_str == "gthread"
    assert cfg.preload_app is False  # each worker builds its app: its own threads and connections
    assert cfg.forwarded_allow_ips == []  # DVC_TRUSTED_PROXIES decides, in the app
    assert cfg.accesslog == "-" and cfg.errorlog == "-"
    assert cfg.child_exit is server._child_exit and cfg.worker_exit is server._worker_exit
    assert PortalServer(options("::1", 8000, 1, 1)).cfg.bind == ["[::1]:8000"]


def _run_output(tmp_path, extra_env: dict[str, str]) -> str:
    """What `dichvucong run` prints, once it answers."""
    import time
    import urllib.request

    from tests.web.helpers import free_port

    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "DVC_RATELIMIT_STORAGE"}
    env.update(DVC_INSTANCE=str(tmp_path / "instance"), **extra_env)
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "dichvucong"), "run", "--port",
                                str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    return out


def test_run_says_when_each_worker_counts_the_rate_limits_alone(tmp_path):
    shared = "Giới hạn số lần đăng nhập, tra cứu, gửi thư được đếm riêng ở mỗi tiến trình (2 tiến trình"
    assert shared in _run_output(tmp_path, {"DVC_WORKERS": "2"})
    assert "được đếm riêng" not in _run_output(tmp_path, {"DVC_WORKERS": "1"})
    assert "được đếm riêng" not in _run_output(tmp_path, {"DVC_WORKERS": "2",
                                                          "DVC_RATELIMIT_STORAGE": "redis://127.0.0.1:6379"})
