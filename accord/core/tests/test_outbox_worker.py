"""A worker killed with SIGKILL in the middle of a delivery loses nothing and sends nothing twice.

The real worker runs in a subprocess against its own SQLite file (whichever database the suite
uses), with an e-mail backend that records each delivery in a file and can be made to hang.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

QUEUE = """
from django.db import transaction
from accord.core import outbox
with transaction.atomic():
    for n in range(1, 6):
        outbox.queue(to=f"person{n}@example.org", subject=f"Message {n}", body="Hello")
"""

REPORT = """
import json
from accord.core.outbox import OutboxMessage
print(json.dumps(list(OutboxMessage.objects.values("subject", "message_id", "status"))))
"""


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _wait_for(path: Path, worker: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert worker.poll() is None, "the worker stopped before it reached the message"
        assert time.monotonic() < deadline, f"the worker never reached {path.name}"
        time.sleep(0.1)


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    log = tmp_path / "deliveries.log"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'outbox.sqlite3'}",
        "DJANGO_EMAIL_BACKEND": "tests.mail_backends.RecordingBackend",
        "ACCORD_TEST_DELIVERY_LOG": str(log),
    }
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(env, "shell", "-v", "0", "-c", QUEUE)

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "outbox_worker", "--interval", "0.1"],
        cwd=ROOT,
        env={**env, "ACCORD_TEST_HANG_ON": "Message 3"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(Path(f"{log}.hanging"), worker)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    stranded = {
        m["subject"]: m["status"]
        for m in json.loads(_manage(env, "shell", "-v", "0", "-c", REPORT))
    }
    assert stranded["Message 3"] == "sending"

    # Restarted with a lease of 0 the worker treats the dead worker's claim as expired at
    # once, as it would once the lease had run out in production.
    _manage({**env, "ACCORD_OUTBOX_LEASE_SECONDS": "0"}, "outbox_worker", "--batch")

    messages = json.loads(_manage(env, "shell", "-v", "0", "-c", REPORT))
    assert [m["status"] for m in messages] == ["sent"] * 5
    delivered = log.read_text().split()
    assert sorted(delivered) == sorted(m["message_id"] for m in messages)
