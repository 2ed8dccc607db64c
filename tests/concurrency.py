"""Running work at the same moment in several threads, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def in_threads(*work: Callable[[], object], together: bool = True) -> list[object]:
    """Run each callable in its own thread and connection, released at the same moment when
    `together`; return each one's result, or the error it raised."""
    barrier = threading.Barrier(len(work)) if together else None
    results: list[object] = [None] * len(work)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            if barrier is not None:
                barrier.wait()
            results[index] = job()
        except Exception as exc:  # the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
