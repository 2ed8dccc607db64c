"""Response times of the public register at national scale (35,000 employers, 5,000 members).

    .venv/bin/python bench/register.py [--employers 35000] [--members 5000] [--repeat 30]
                                       [--database-url postgres://postgres@127.0.0.1:5432/x]

Requests go through Django's full request stack in this process (no network), each page
`--repeat` times, anonymous; prints the median and 95th percentile in milliseconds, with the
cache (a local-memory cache: every repeat after the first is a hit), without it (a dummy
cache: the pages read the register's table every time), and for a repeat that sends the
ETag back (304). Also the time to rebuild the register's table from the records.
"""

from __future__ import annotations

import statistics
import time

import throwaway

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def timed(client, url: str, params: dict[str, str], repeat: int, **headers: str) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, params, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 304), url
    return times


def summary(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return f"{statistics.median(times):>9.2f}{p95:>9.2f}"


def main() -> None:
    args = throwaway.arguments(__doc__.splitlines()[0], employers=35_000, members=5_000, repeat=30)
    with throwaway.database(args.database_url) as vendor:
        from django.test import Client, override_settings
        from django.urls import reverse

        from accord.register import entries
        from accord.register.models import RegisterEntry
        from accord.register.scale import build_national_register
        from accord.schemes.loader import load_builtin_scheme

        start = time.perf_counter()
        build_national_register(
            load_builtin_scheme("vws"), employers=args.employers, members=args.members
        )
        print(
            f"{vendor}: {args.employers} employers, {args.members} members "
            f"(built in {time.perf_counter() - start:.1f} s)"
        )
        start = time.perf_counter()
        entries.rebuild()
        print(f"register table rebuilt in {time.perf_counter() - start:.2f} s")
        last = RegisterEntry.objects.order_by("pk").last()
        middle = RegisterEntry.objects.order_by("employer_name", "membership_id")[
            min(2950, args.members - 1)
        ]
        client = Client()
        pages = [
            ("register, first page", reverse("register"), {}),
            ("register, page 60", reverse("register"), {"page": "60"}),
            ("register, next after 2950", reverse("register"), {"after": str(middle.pk)}),
            ("register, name search", reverse("register"), {"q": "School 0001"}),
            ("register, region filter", reverse("register"), {"region": "3"}),
            ("verification page", reverse("verification", args=[last.reference]), {}),
        ]
        columns = ["cached", "p95", "uncached", "p95", "304", "p95"]
        print(f"{'page (ms)':<28}" + "".join(f"{c:>9}" for c in columns))
        for label, url, params in pages:
            with override_settings(CACHES=LOCMEM):
                cached = timed(client, url, params, args.repeat)
                etag = client.get(url, params)["ETag"]
                not_modified = timed(client, url, params, args.repeat, if_none_match=etag)
            with override_settings(CACHES=DUMMY):
                uncached = timed(client, url, params, args.repeat)
            print(f"{label:<28}{summary(cached)}{summary(uncached)}{summary(not_modified)}")
        for label, name in [
            ("whole register as CSV", "register-csv"),
            ("whole register as JSON", "register-json"),
        ]:
            with override_settings(CACHES=DUMMY):
                times = timed(client, reverse(name), {}, 3)
            print(f"{label:<28}{'':>18}{summary(times)}")


if __name__ == "__main__":
    main()
