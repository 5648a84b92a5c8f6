"""What the fault tests break and the real processes they break it under: a Redis server of their
own (on a port of its own, stopped and started again by the test), gunicorn serving the app on
the test database, Celery workers as production runs them (prefork)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.core.events.test_worker import test_database_url

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "var"


def free_port(start: int = 6391) -> int:
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def _wait_port(port: int, *, up: bool, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            is_up = s.connect_ex(("127.0.0.1", port)) == 0
        if is_up == up:
            return
        time.sleep(0.1)
    raise AssertionError(f"port {port} did not go {'up' if up else 'down'}")


class RedisServer:
    """``redis-server`` on a port of its own, no persistence: stopping it loses what was queued,
    as a broker that crashed does (the outbox's sweep is what brings the work back)."""

    def __init__(self, directory: Path):
        self.port = free_port(6391)
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
            + ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, up=True)

    def stop(self, *, crash: bool = True) -> None:
        """The broker goes away: at once (SIGKILL, ``crash``), or shut down as a restart does
        (SIGTERM: Redis closes its clients' connections)."""
        if self.process is not None and self.process.poll() is None:
            if crash:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait()
        _wait_port(self.port, up=False)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def services_env(**overrides: str) -> dict[str, str]:
    """The environment of a web or worker process on the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "TANDEM_ALLOW_INSECURE_KEY": "1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # One dispatch task per event, no coalescing count in Redis.
        "EVENTS_COALESCE_SECONDS": "0",
    }
    env.pop("BROKER_KEY_PREFIX", None)
    env.update(overrides)
    return env


class Processes:
    def __init__(self, name: str):
        self.name = name
        self.started: list[tuple[subprocess.Popen, object, Path]] = []

    def spawn(self, command: list[str], env: dict, label: str) -> subprocess.Popen:
        LOGS.mkdir(exist_ok=True)
        path = LOGS / f"test-fault-{label}-{len(self.started) + 1}.log"
        log = path.open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((process, log, path))
        return process

    def stop_all(self) -> None:
        for process, _log, _path in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, log, _path in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


@pytest.fixture
def processes():
    started = Processes("fault")
    yield started
    started.stop_all()


def log_of(processes: Processes, process: subprocess.Popen) -> str:
    for p, log, path in processes.started:
        if p is process:
            log.flush()
            return path.read_text()
    return ""


@pytest.fixture
def start_worker(processes):
    """``start_worker(broker_url, *extra_args)``: a prefork worker (two processes, as in
    docker-compose) on the test database."""

    def start(broker_url: str, *args: str, **env: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
        command += ["--concurrency=2"]  # as docker-compose runs it (gossip, mingle and heartbeat on)
        command += ["--hostname", f"fault-{os.getpid()}-{len(processes.started)}@%h", *args]
        return processes.spawn(command, services_env(CELERY_BROKER_URL=broker_url, **env), "worker")

    return start


@pytest.fixture
def start_web(processes):
    """``start_web(broker_url)``: gunicorn serving the app (DEBUG off) on the test database;
    returns its base URL once /healthz answers."""

    def start(broker_url: str = "", workers: int = 4, **env: str) -> str:
        port = free_port(8391)
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{port}", f"--workers={workers}", "--timeout=60"]
        process = processes.spawn(command, services_env(CELERY_BROKER_URL=broker_url, **env), "web")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, log_of(processes, process)[-3000:]
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    return base
            except Exception:  # noqa: BLE001 - not up yet (or /healthz says a service is down)
                time.sleep(0.3)
        raise AssertionError("gunicorn did not come up")

    return start


def other_backends() -> str:
    """SQL: the backends of the test database other than this test's own connection."""
    return (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        f" AND pid <> {connection.connection.info.backend_pid}"
    )


@pytest.fixture
def use_broker(monkeypatch):
    """``use_broker(url)``: this test process queues its tasks on that broker (the fault test's
    own Redis) instead of the run's."""
    from config.celery import app

    previous = app.conf.broker_url

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    def use(url: str) -> None:
        # Celery reads CELERY_BROKER_URL from the environment before its own setting.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        reset_pools()

    yield use
    monkeypatch.undo()
    app.conf.broker_url = previous
    reset_pools()


def wait_until(predicate, *, timeout: float, alive=(), every: float = 0.3, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for process in alive:
            assert process.poll() is None, f"a process exited (code {process.returncode})"
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def api_token(user) -> str:
    """An API token for ``user`` (the one place the fault tests make one)."""
    from core.tokens import token_create

    return token_create(user=user, name="fault test")[1]


def call(base: str, method: str, path: str, token: str, body: dict | None = None, timeout: float = 30):
    """One API call over HTTP: (status, parsed JSON body or None)."""
    import json
    import urllib.error

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{base}{path}",
        data=data,
        method=method,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None
