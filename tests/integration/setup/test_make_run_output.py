"""What ``make run`` prints: a line per demo step, then whom to log in as. While the demo loads,
its e-mails go to files and the logs of the tasks it runs in-process stay out of the terminal
(the Makefile's ``DEMO_ENV``, read from there so that the two stay one); the scheduler beside
the server runs its tasks without a word."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# One worker builds the module's fixture once (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("make-run")

ROOT = Path(__file__).resolve().parents[3]
# What `make run` does not set: it runs on the embedded default.
NOT_SET = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "EMAIL_BACKEND", "EMAIL_FILE_PATH", "LOG_LEVEL")


def demo_env() -> dict[str, str]:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^DEMO_ENV\s*:=\s*(.+)$", makefile, re.MULTILINE)
    assert match, "DEMO_ENV is missing from the Makefile"
    return dict(item.split("=", 1) for item in match.group(1).split())


def manage(var_dir, *args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in NOT_SET}
    environ.update(DEBUG="1", TANDEM_VAR_DIR=str(var_dir), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """A migrated SQLite database of its own, as ``make run`` makes under var/."""
    path = tmp_path_factory.mktemp("var")
    migrated = manage(path, "migrate", "--noinput", "-v", "0", LOG_LEVEL="ERROR")
    assert migrated.returncode == 0, migrated.stderr
    return path


def test_loading_the_demo_prints_a_line_per_step_and_no_task_logs(var_dir):
    # The steps up to inventory publish events whose tasks run in-process (and log each one).
    loaded = manage(var_dir, "load_demo", "--only", "users", "inventory", **demo_env())
    assert loaded.returncode == 0, loaded.stderr
    lines = loaded.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["users", "inventory"]
    assert lines[-1] == (
        "log in as sales, sales2, service, warehouse, purchasing, finance, manager or admin"
        " (password tandem-demo)"
    )
    assert loaded.stderr == ""


def test_the_demos_mail_is_written_to_files_under_email_file_path(var_dir, tmp_path):
    sent = manage(var_dir, "sendtestemail", "c1-0@example.cn", EMAIL_FILE_PATH=str(tmp_path), **demo_env())
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout == "" and sent.stderr == ""
    [message] = tmp_path.iterdir()
    assert "To: c1-0@example.cn" in message.read_text()


def test_the_scheduler_runs_every_periodic_task_quietly(var_dir):
    """Each task of the beat schedule runs (the scheduler imports the apps' task modules, as a
    worker does) and, at make run's log level, says nothing."""
    ran = manage(var_dir, "run_scheduler", "--once", LOG_LEVEL="WARNING")
    assert ran.returncode == 0, ran.stderr
    assert (ran.stdout, ran.stderr) == ("", "")
