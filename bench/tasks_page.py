"""Response time of My tasks and the calendar feed for a national officer and for one local
secretary, at 100 and 5,000 members.

    .venv/bin/python bench/tasks_page.py [--small 100] [--members 5000] [--repeat 10]
                                         [--database-url postgres://postgres@127.0.0.1:5432/x]

Members are built in bulk across 50 local associations, their one-year cycles starting over
the past year, so that reviews and activities fall due all year round; one member in fifty
has late activities. Requests go
through Django's full request stack in this process (no network); prints the median and the
slowest time in milliseconds, and how much each page shows.
"""

from __future__ import annotations

import datetime
import statistics
import time

import throwaway

# Members are spread over this many local associations; the secretary holds the first.
ASSOCIATIONS = 50
PASSWORD = "bench-password"


def timed(client, url: str, repeat: int) -> tuple[list[float], bytes]:  # type: ignore[no-untyped-def]
    times, content = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        content = response.content
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return times, content


def main() -> None:
    args = throwaway.arguments(__doc__.splitlines()[0], small=100, members=5_000, repeat=10)
    with throwaway.database(args.database_url) as vendor:
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from accord.accounts.models import Role, RoleAssignment
        from accord.notifications.models import CalendarFeed
        from accord.notifications.scale import build_members
        from accord.organisations.models import Association, District, LocalAuthority, Region
        from accord.schemes.loader import load_builtin_scheme

        scheme = load_builtin_scheme("vws")
        region = Region.objects.create(name="Bench region")
        authority = LocalAuthority.objects.create(code="899", name="Bench", region=region)
        district = District.objects.create(name="Bench")
        associations = [
            Association.objects.create(name=f"Bench {n}", region=region, district=district)
            for n in range(ASSOCIATIONS)
        ]
        officer = _user("officer")
        RoleAssignment.objects.create(
            user=officer, role=Role.NATIONAL_OFFICER, union=scheme.lead_union
        )
        secretary = _user("secretary")
        RoleAssignment.objects.create(
            user=secretary,
            role=Role.LOCAL_SECRETARY,
            union=scheme.lead_union,
            association=associations[0],
        )
        today = timezone.localdate()
        pages = []
        for user in (officer, secretary):
            client = Client()
            client.login(username=user.email, password=PASSWORD)
            feed = CalendarFeed.objects.create(user=user)
            who = user.email.split("@")[0]
            pages += [
                (client, f"{who}: My tasks", reverse("tasks"), b"<tr>", "rows"),
                (
                    client,
                    f"{who}: calendar",
                    reverse("calendar-feed", args=[feed.token]),
                    b"BEGIN:VEVENT",
                    "events",
                ),
            ]

        print(f"{'members':>8}  {'page':<22}{'median ms':>10}{'max ms':>10}  shows")
        built = 0
        for total in (args.small, args.members):
            start = time.perf_counter()
            for n, association in enumerate(associations):
                share = total // ASSOCIATIONS + (n < total % ASSOCIATIONS)
                already = built // ASSOCIATIONS + (n < built % ASSOCIATIONS)
                build_members(
                    scheme,
                    count=share - already,
                    association=association,
                    local_authority=authority,
                    first_start=today - datetime.timedelta(days=364),
                    spread_days=364,
                    late_every=50,
                )
            built = total
            seconds = time.perf_counter() - start
            print(f"{total:>8}  ({vendor}: built in {seconds:.1f} s)")
            for client, label, url, what, unit in pages:
                times, content = timed(client, url, args.repeat)
                print(
                    f"{total:>8}  {label:<22}{statistics.median(times):>10.1f}"
                    f"{max(times):>10.1f}  {content.count(what)} {unit}"
                )


def _user(name: str):  # type: ignore[no-untyped-def]
    from accord.accounts.models import User

    email = f"{name}@bench.example"
    return User.objects.create_user(email, email=email, password=PASSWORD)


if __name__ == "__main__":
    main()
