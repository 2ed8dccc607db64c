"""Time send_reminders() with the same items due at N members and at 10 N members.

    .venv/bin/python bench/reminders.py [--members 500] [--factor 10] [--due 5]
                                        [--database-url postgres://postgres@127.0.0.1:5432/x]

`--due` members (counted within N) have three late activities each, so 3 x due reminders fall
due; every other member is quiet: its first activity done, the next ones and its review months
away. Each run is timed inside a transaction that is then rolled back, so every run sends the
same reminders; prints the median of three runs at N members and again at factor x N.
"""

from __future__ import annotations

import datetime
import statistics
import time

import throwaway


def main() -> None:
    args = throwaway.arguments(__doc__.splitlines()[0], members=500, factor=10, due=5)
    with throwaway.database(args.database_url) as vendor:
        from django.db import transaction
        from django.utils import timezone

        from accord.accounts.models import Role, RoleAssignment, User
        from accord.notifications.reminders import send_reminders
        from accord.notifications.scale import build_members
        from accord.organisations.models import Association, District, LocalAuthority, Region
        from accord.schemes.loader import load_builtin_scheme

        scheme = load_builtin_scheme("vws")
        region = Region.objects.create(name="Bench region")
        authority = LocalAuthority.objects.create(code="899", name="Bench", region=region)
        association = Association.objects.create(
            name="Bench", region=region, district=District.objects.create(name="Bench")
        )
        secretary = User.objects.create_user(
            "secretary@bench.example", email="secretary@bench.example"
        )
        RoleAssignment.objects.create(
            user=secretary,
            role=Role.LOCAL_SECRETARY,
            union=scheme.lead_union,
            association=association,
        )
        today = timezone.localdate()

        def add(count: int, *, late: bool) -> None:
            build_members(
                scheme,
                count=count,
                association=association,
                local_authority=authority,
                # Late members are 300 days into their cycle (all three activities overdue);
                # quiet ones 71 to 100 days in (the first done, the next due after today).
                first_start=today - datetime.timedelta(days=300 if late else 100),
                spread_days=1 if late else 30,
                late_every=1 if late else 0,
            )

        def timed() -> tuple[float, int]:
            times, sent = [], 0
            for _ in range(3):
                with transaction.atomic():
                    start = time.perf_counter()
                    summary = send_reminders(today)
                    times.append(time.perf_counter() - start)
                    sent = summary.reminders
                    transaction.set_rollback(True)
            return statistics.median(times), sent

        add(args.due, late=True)
        add(args.members - args.due, late=False)
        print(f"{'members':>8}{'reminders sent':>16}{'seconds':>10}   ({vendor})")
        for total in (args.members, args.members * args.factor):
            if total > args.members:
                add(total - args.members, late=False)
            seconds, sent = timed()
            print(f"{total:>8}{sent:>16}{seconds:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
