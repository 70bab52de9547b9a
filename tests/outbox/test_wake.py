"""The SQLite doorbell: a commit in one process wakes the dispatchers of the others."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from monopilot.outbox import wake
from monopilot.webhooks.receiver import Receiver

DRIVER = Path(__file__).parents[1] / "webhooks" / "fault_driver.py"


def _readable(bell: wake.Doorbell, timeout: float = 2.0) -> bool:
    ready, _, _ = select.select([bell.fileno()], [], [], timeout)
    return bool(ready)


def test_a_ring_reaches_every_listener_but_our_own(tmp_path: Path) -> None:
    first, second = wake.Doorbell(tmp_path), wake.Doorbell(tmp_path)
    try:
        assert wake.ring(tmp_path) == 0  # both are this process's: woken in-process already
        assert not _readable(first, 0.1)
        assert wake.ring(tmp_path, include_self=True) == 2
        assert _readable(first) and _readable(second)
        wake.ring(tmp_path, include_self=True)
        assert first.drain() == 2  # every pending ring read at once
        assert not _readable(first, 0.1)
    finally:
        first.close()
        second.close()
    assert list(tmp_path.iterdir()) == []  # closing removes the socket file


def test_a_socket_left_by_a_killed_process_is_removed(tmp_path: Path) -> None:
    left = tmp_path / "999999-deadbeef.sock"
    orphan = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    orphan.bind(str(left))
    orphan.close()  # as after SIGKILL: the file stays, nobody listens
    assert left.exists()
    assert wake.ring(tmp_path) == 0
    assert not left.exists()


def test_no_directory_no_ring(tmp_path: Path) -> None:
    assert wake.ring(tmp_path / "nobody-listens") == 0


def test_the_directory_follows_the_database_file(tmp_path: Path) -> None:
    assert wake._doorbell_dir(":memory:") is None
    assert wake._doorbell_dir("file:memorydb_default?mode=memory&cache=shared") is None
    one = wake._doorbell_dir(str(tmp_path / "a.sqlite3"))
    other = wake._doorbell_dir(str(tmp_path / "b.sqlite3"))
    assert one and other and one != other
    # A Unix socket path must stay short whatever the data directory is.
    assert len(str(one / f"{2**22}-0123abcd.sock")) < 100


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("worker-processes")
def test_a_commit_in_another_process_wakes_the_worker_at_once(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL workers are woken by LISTEN/NOTIFY")
    receiver = Receiver()
    url = receiver.start()
    env = dict(
        os.environ,
        MONOPILOT_VAR_DIR=str(tmp_path),
        MONOPILOT_ALLOW_PRIVATE_URLS="1",
        # Polling this slowly, a delivery within seconds can only come from the doorbell.
        MONOPILOT_OUTBOX_POLL_SECONDS="60",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(Path(__file__).parents[2] / "src"),
    )
    env.pop("DATABASE_URL", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    monopilot = str(Path(sys.executable).with_name("monopilot"))
    database = str(tmp_path / "monopilot.sqlite3")
    directory = wake._doorbell_dir(database)
    assert directory is not None

    def run(*args: str) -> None:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]

    run(monopilot, "migrate", "--skip-checks")
    run(sys.executable, str(DRIVER), "setup", url)
    worker = subprocess.Popen(
        [monopilot, "worker", "--skip-checks"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end and not any(
            n.startswith(f"{worker.pid}-") for n in _listing(directory)
        ):
            time.sleep(0.1)
        assert any(n.startswith(f"{worker.pid}-") for n in _listing(directory))
        time.sleep(1.0)  # its first (empty) claim is done; the next poll is a minute away
        run(sys.executable, str(DRIVER), "publish", "1")  # one event, two endpoints
        assert receiver.wait_for(2, timeout=20)  # the poll would take a minute
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        receiver.stop()
    assert not any(n.startswith(f"{worker.pid}-") for n in _listing(directory))


def _listing(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except FileNotFoundError:
        return []
