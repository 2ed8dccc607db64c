"""Response times of the public register at national scale (35,000 employers, 5,000 members).

    .venv/bin/python bench/register.py [--employers 35000] [--members 5000] [--repeat 30]
                                       [--database-url postgres://postgres@127.0.0.1:5432/x]

Requests go through Django's full request stack in this process (no network), each page
`--repeat` times; prints the median and 95th percentile in milliseconds.
"""

from __future__ import annotations

import statistics
import time

import throwaway


def timed(client, url: str, params: dict[str, str], repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return times


def main() -> None:
    args = throwaway.arguments(__doc__.splitlines()[0], employers=35_000, members=5_000, repeat=30)
    with throwaway.database(args.database_url) as vendor:
        from django.test import Client
        from django.urls import reverse

        from accord.membership.models import Membership
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
        reference = Membership.objects.order_by("pk").last().reference
        client = Client()
        pages = [
            ("register, first page", reverse("register"), {}),
            ("register, page 60", reverse("register"), {"page": "60"}),
            ("register, name search", reverse("register"), {"q": "School 0012"}),
            ("register, region filter", reverse("register"), {"region": "3"}),
            ("verification page", reverse("verification", args=[reference]), {}),
        ]
        print(f"{'page':<28}{'median ms':>10}{'p95 ms':>10}")
        for label, url, params in pages:
            times = sorted(timed(client, url, params, args.repeat))
            p95 = times[int(len(times) * 0.95) - 1]
            print(f"{label:<28}{statistics.median(times):>10.1f}{p95:>10.1f}")
        for label, name in [
            ("whole register as CSV", "register-csv"),
            ("whole register as JSON", "register-json"),
        ]:
            times = timed(client, reverse(name), {}, 3)
            print(f"{label:<28}{statistics.median(times):>10.1f}{max(times):>10.1f}")


if __name__ == "__main__":
    main()
