"""gunicorn's settings for serving Accord (`make serve`, the container), read from the environment.

gunicorn reads this file from the working directory by itself; GUNICORN_CMD_ARGS and the
command line still override any of it.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from django.db import connections
from dotenv import load_dotenv

# The same file the settings read (accord/settings.py), so that it can set the variables below.
_env_file = os.environ.get("ACCORD_ENV_FILE", os.path.join(os.path.dirname(__file__), ".env"))
if _env_file:
    load_dotenv(_env_file, override=False)

wsgi_app = "accord.wsgi:application"

# Behind a proxy on the same machine by default; the container listens on every interface.
bind = (os.environ.get("ACCORD_BIND") or "127.0.0.1:8000").split(",")

# Sync workers: each serves one request at a time, so a slow request holds up only its own
# worker; add workers (memory) rather than threads. Twice the cores plus one is gunicorn's
# own advice.
workers = int(os.environ.get("ACCORD_WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("ACCORD_WEB_THREADS") or 1)

# A worker silent for longer than this is killed and replaced. Imports of large files are the
# slowest requests; raise it if a proxy in front allows longer.
timeout = int(os.environ.get("ACCORD_WEB_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5

# Workers are replaced now and then, so that slow growth in one process's memory cannot last.
max_requests = int(os.environ.get("ACCORD_WEB_MAX_REQUESTS") or 2000)
max_requests_jitter = max_requests // 10

# Load Django once in the master, before forking: a broken configuration stops the server at
# once instead of failing in every worker, and the workers share the loaded code's memory.
preload_app = True

# Errors to standard error, as a process manager expects. Requests are logged by Accord itself
# (accord/core/logs.py), with the person's id and secret links' tokens masked: gunicorn's own
# access log knows neither, so it is off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ACCORD_WEB_LOG_LEVEL") or "info"

# No gunicornc control socket: its default path is shared by every gunicorn of the same user.
control_socket_disable = True

# Heartbeat files in memory rather than on a container's overlay disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def pre_fork(server: Any, worker: Any) -> None:
    # Loading opens no database connection today; should it ever, the forked workers must not
    # share the master's.
    if server.cfg.preload_app:
        connections.close_all()
