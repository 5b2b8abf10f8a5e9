"""Fixtures for failure tests: a private Redis server that a test may stop and start, and Celery workers with
chosen hostnames.

The machine's shared Redis (127.0.0.1:6379) is never stopped: `private_redis` starts its own `redis-server` on a
free port with its data under the test's temporary folder.

    def test_x(private_redis, point_at_redis):
        point_at_redis(private_redis.url)   # cache and Celery of this process now use it
        private_redis.stop()
        ...
        private_redis.start()               # same port, same data (append-only file): queued tasks survive
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """One `redis-server` process on 127.0.0.1:<port>; stop() and start() keep the port and the data."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--protected-mode", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} exited with {self.process.returncode}")
            if self.answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def private_redis(tmp_path_factory) -> Iterator[PrivateRedis]:
    """A running private Redis server, stopped (and its data removed with the temporary folder) afterwards."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is missing: `make test` installs the Debian redis-server package")
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def _repoint_celery(broker_url: str, result_backend: str) -> None:
    from rehab.celery import app

    if app._pool is not None:
        app._pool.force_close_all()
    # Celery derived the read and write URLs from the broker URL when it loaded the settings: set all three.
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = broker_url
    app.conf.result_backend = result_backend
    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def point_at_redis(settings) -> Iterator[Callable[[str], None]]:
    """point_at_redis(url): this process's cache and Celery app (broker and results) use that Redis until the
    test ends."""
    from rehab.celery import app

    before = (app.conf.broker_url, app.conf.result_backend)

    def point(url: str) -> None:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "BACKEND": "rehab.cache.DegradingRedisCache", "LOCATION": url,
                        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
        }
        settings.CELERY_BROKER_URL = url
        settings.CELERY_RESULT_BACKEND = url
        _repoint_celery(url, url)

    yield point
    _repoint_celery(*before)


def worker_environment(**extra: str) -> dict[str, str]:
    """The environment of a worker subprocess: this test run's database (the test database, not the real one)."""
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}"
    )
    env.update(extra)
    return env


@pytest.fixture
def start_worker(django_db_blocker) -> Iterator[Callable[..., subprocess.Popen]]:
    """start_worker(hostname, broker_url=None, concurrency=1, env=None): a real `celery -A rehab worker` with that
    node name, answering a ping before it is returned. Every worker started is stopped after the test.

    The broker defaults to this process's (settings.CELERY_BROKER_URL), so ping and tasks meet the worker."""
    from django.conf import settings

    from rehab.celery import app

    workers: list[subprocess.Popen] = []

    def start(hostname: str, *, broker_url: str | None = None, concurrency: int = 1,
              env: dict[str, str] | None = None, wait: bool = True) -> subprocess.Popen:
        broker_url = broker_url or settings.CELERY_BROKER_URL
        if not broker_url.startswith("redis://"):
            pytest.skip("needs CELERY_BROKER_URL pointing at Redis")
        extra = {"CELERY_BROKER_URL": broker_url, "CELERY_RESULT_BACKEND": broker_url, **(env or {})}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rehab", "worker", "--pool", "prefork",
             "--concurrency", str(concurrency), "-n", hostname, "--without-gossip", "--without-mingle",
             "-l", "warning"],
            cwd=ROOT, env=worker_environment(**extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        workers.append(worker)
        if wait:
            node = hostname.split("@")[0]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if worker.poll() is not None:
                    pytest.fail(f"the Celery worker {hostname} exited early:\n{worker.stdout.read()}")
                if any(node in name for reply in app.control.ping(timeout=1.0) for name in reply):
                    break
            else:
                pytest.fail(f"the Celery worker {hostname} did not answer a ping within 60 s")
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
