"""My tasks for a national officer, a local secretary and an NEM, their calendar feeds, and the
reminder run, at 1x and 10x the data with the same items due.

    .venv/bin/python bench/tasks_page.py [--members 500] [--past-cycles 4] [--activities 5]
        [--repeat 10] [--database-url postgres://postgres@127.0.0.1:5432/x]

The 1x data: `--members` members across 50 local associations of one NEM district, each with
`--past-cycles` reviewed cycles before its current one and `--activities` activities a cycle,
seven employers with no case for each member, and a case declined long ago for one member in
five. None of it is due: current cycles end more than a month ahead and past activities are
done. The 10x data adds nine times as much of the same. What is due stays the same at both
scales: 15 members in the secretary's association whose review is due within the month and
whose activities are late, and, waiting for over a fortnight, 5 proposals to endorse there, 5
listings to make and 5 proposals with no local association (nobody to endorse them).

Requests go through Django's full request stack in this process (no network). Prints the
median and slowest time in milliseconds, the queries and the rows fetched (`tests/fetched.py`),
and how much each page shows. The reminder run is `send_reminders()` in a transaction rolled
back after each repeat, so that every repeat sends the same reminders. With BENCH_SQL=1 it
also prints each page's queries, slowest first.
"""

from __future__ import annotations

import datetime
import os
import statistics
import time
from collections.abc import Callable

import throwaway

ASSOCIATIONS = 50
PASSWORD = "bench-password"
DUE_MEMBERS = 15
DUE_CASES = 5
# Employers with no case for each member, and one member in this many with a closed case: a
# national register of schools holds about seven schools for each member.
EMPLOYERS_PER_MEMBER = 7
CLOSED_EVERY = 5


def main() -> None:
    args = throwaway.arguments(
        __doc__.splitlines()[0], members=500, past_cycles=4, activities=5, repeat=10
    )
    with throwaway.database(args.database_url) as vendor:
        from django.db import connection, reset_queries, transaction
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from django.utils import timezone

        from accord.accounts.models import Role, RoleAssignment
        from accord.enrolments.process import State
        from accord.notifications.models import CalendarFeed
        from accord.notifications.reminders import send_reminders
        from accord.notifications.scale import build_cases, build_employers, build_members
        from accord.organisations.models import Association, District, LocalAuthority, Region
        from accord.schemes.loader import load_builtin_scheme
        from tests.fetched import rows_fetched

        today = timezone.localdate()
        scheme = load_builtin_scheme("vws")
        region = Region.objects.create(name="Bench region")
        authority = LocalAuthority.objects.create(code="899", name="Bench", region=region)
        district = District.objects.create(name="Bench")
        associations = [
            Association.objects.create(name=f"Bench {n}", region=region, district=district)
            for n in range(ASSOCIATIONS)
        ]
        lead = scheme.lead_union
        people = {
            "officer": (Role.NATIONAL_OFFICER, {}),
            "secretary": (Role.LOCAL_SECRETARY, {"association": associations[0]}),
            "nem": (Role.NEM, {"district": district}),
        }
        users = {}
        for name, (role, scope) in people.items():
            users[name] = _user(name)
            RoleAssignment.objects.create(user=users[name], role=role, union=lead, **scope)

        # What is due, the same at both scales.
        start = time.perf_counter()
        build_members(
            scheme,
            count=DUE_MEMBERS,
            association=associations[0],
            local_authority=authority,
            first_start=today - datetime.timedelta(days=350),
            late_every=1,
            past_cycles=args.past_cycles,
            activities=args.activities,
        )
        weeks_ago = today - datetime.timedelta(days=21)
        for state, association in (
            (State.PROPOSED, associations[0]),
            (State.NATIONAL_NOTIFIED, associations[0]),
            (State.PROPOSED, None),
        ):
            employers = build_employers(
                DUE_CASES, association=association, local_authority=authority
            )
            build_cases(scheme, employers, state=state, since=weeks_ago)

        pages: list[tuple[str, Callable[[], bytes], bytes, str]] = []
        for name, user in users.items():
            client = Client()
            client.force_login(user)
            feed = CalendarFeed.objects.create(user=user)
            pages += [
                (f"{name}: My tasks", _get(client, reverse("tasks")), b"<tr>", "rows"),
                (
                    f"{name}: calendar",
                    _get(client, reverse("calendar-feed", args=[feed.token])),
                    b"BEGIN:VEVENT",
                    "events",
                ),
            ]

        def reminders() -> bytes:
            with transaction.atomic():
                summary = send_reminders(today)
                transaction.set_rollback(True)
            return f"{summary.reminders} reminders to {summary.people} people".encode()

        pages.append(("send_reminders()", reminders, b"", ""))

        print(f"{'scale':>5}  {'page':<24}{'median ms':>10}{'max ms':>10}{'queries':>9}{'rows':>7}")
        built = 0
        for scale in (1, 10):
            total = args.members * scale
            for n, association in enumerate(associations):
                share = total // ASSOCIATIONS + (n < total % ASSOCIATIONS)
                already = built // ASSOCIATIONS + (n < built % ASSOCIATIONS)
                # Current cycles started within the past 300 days: their reviews are more than
                # a month away and their past activities done.
                build_members(
                    scheme,
                    count=share - already,
                    association=association,
                    local_authority=authority,
                    first_start=today - datetime.timedelta(days=300),
                    spread_days=300,
                    past_cycles=args.past_cycles,
                    activities=args.activities,
                )
            added = total - built
            build_employers(
                EMPLOYERS_PER_MEMBER * added, association=associations[1], local_authority=authority
            )
            closed = build_employers(
                added // CLOSED_EVERY, association=associations[0], local_authority=authority
            )
            build_cases(
                scheme, closed, state=State.DECLINED, since=today - datetime.timedelta(days=700)
            )
            built = total
            seconds = time.perf_counter() - start
            print(
                f"{scale:>4}x  ({vendor}: {total} members, {args.past_cycles + 1} cycles and "
                f"{args.activities} activities each, {EMPLOYERS_PER_MEMBER * total} employers "
                f"with no case; built in {seconds:.1f} s)"
            )
            for label, read, what, unit in pages:
                read()  # warm: sessions, caches
                reset_queries()
                with rows_fetched() as fetched, CaptureQueriesContext(connection) as queries:
                    content = read()
                times = []
                for _ in range(args.repeat):
                    began = time.perf_counter()
                    content = read()
                    times.append((time.perf_counter() - began) * 1000)
                shows = f"{content.count(what)} {unit}" if what else content.decode()
                print(
                    f"{scale:>4}x  {label:<24}{statistics.median(times):>10.1f}"
                    f"{max(times):>10.1f}{len(queries):>9}{fetched.rows:>7}  {shows}"
                )
                if os.environ.get("BENCH_SQL"):
                    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"])):
                        print(f"{'':>8}{query['time']:>8} {query['sql'][:300]}")
            start = time.perf_counter()


def _get(client, url: str) -> Callable[[], bytes]:  # type: ignore[no-untyped-def]
    def get() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, url
        return response.content

    return get


def _user(name: str):  # type: ignore[no-untyped-def]
    from accord.accounts.models import User

    email = f"{name}@bench.example"
    return User.objects.create_user(email, email=email, password=PASSWORD)


if __name__ == "__main__":
    main()
