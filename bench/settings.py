"""Settings for the benchmark's server: Accord's own, plus a floor view and a query counter.

Nothing here is used outside `bench/`; the server under test runs with these so that the floor
view goes through exactly the same settings, middleware and server as Accord's pages.
"""

from accord.settings import *  # noqa: F403
from accord.settings import BASE_DIR, MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# First, so that it counts every query the rest of the stack makes.
MIDDLEWARE = ["bench.floor.QueryCountMiddleware", *MIDDLEWARE]
# Collected by bench/run.py with the production storage (hashed names and their manifest), kept
# between runs so that collecting again copies only what changed.
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
