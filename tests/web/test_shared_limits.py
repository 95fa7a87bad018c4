"""Rate limits with several worker processes: per process by default, one budget for all
of them when the counters live in Redis (DVC_RATELIMIT_STORAGE; a real Redis server on
127.0.0.1:6379, which this machine runs)."""

from __future__ import annotations

import multiprocessing
import uuid

import pytest
import redis

REDIS = "redis://127.0.0.1:6379"


def _worker(env: dict[str, str], prefix: str, instance: str, lookups: int, results) -> None:
    """One worker process of the portal, as gunicorn would start it: looks a receipt up ``lookups`` times."""
    import os

    os.environ.update(env)
    from web import create_app

    # A key prefix of this test's own, so that no other test's counters in Redis count here.
    app = create_app({"TESTING": True, "INSTANCE_PATH": instance, "LOOKUP_LIMIT_IP": "3 per minute",
                      "RATELIMIT_KEY_PREFIX": prefix})
    client = app.test_client()
    results.put([client.get("/tra-cuu/2510-AAAA-BBBB-C").status_code for _ in range(lookups)])


def _two_workers(tmp_path, storage: str | None) -> list[list[int]]:
    env = {"DVC_RATELIMIT_STORAGE": storage} if storage else {}
    prefix = f"test-{uuid.uuid4().hex}"
    context = multiprocessing.get_context("spawn")  # fresh interpreters, like separate workers
    results = context.Queue()
    codes = []
    for lookups in (2, 2):  # one after the other, so the counts are deterministic
        worker = context.Process(target=_worker, args=(env, prefix, str(tmp_path), lookups, results))
        worker.start()
        codes.append(results.get(timeout=60))
        worker.join(timeout=30)
    if storage:
        client = redis.Redis.from_url(storage)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
    return codes


def test_by_default_each_worker_counts_for_itself(tmp_path):
    assert _two_workers(tmp_path, None) == [[404, 404], [404, 404]]


def test_with_redis_the_workers_share_one_budget(tmp_path):
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379: start it with "
                    "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no")
    assert _two_workers(tmp_path, REDIS) == [[404, 404], [404, 429]]
