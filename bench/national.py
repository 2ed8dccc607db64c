"""Accord's data at national scale, built reproducibly and in bulk for the benchmarks.

At scale 1: 35,000 employers, 5,000 members, 100,000 cycles, 1,000,000 actions (1,000 of them
in one joint action plan) and 2,000,000 audit events, plus a user for each persona who signs in
to the staff pages. Every count is multiplied by the scale (the plan keeps its 1,000 actions).
What the scheme dashboard reads besides (cases at every step with their step history, policy
checks, status changes, smaller plans) comes from bench/dashboard_data.py; its histories are
among the audit events, and the smaller plans' actions among the actions.

Employers and members come from the register's own scale builder; the rest is written with raw
multi-row inserts (PostgreSQL's COPY; bench/bulk.py), which is what keeps a full build to
minutes. Audit events carry a valid hash chain: each event is sealed exactly as
`accord.core.audit.record` seals it, in stream order, and the stream heads are written at the
end. The signals that derived copies (the public register) listen to are sent once for
everything built.

Dates are counted from today, so a build is the same for a given seed, scale and day. Needs
Django set up; call `build` outside any transaction (it makes its own).
"""

from __future__ import annotations

import datetime
import json
import random
import secrets
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accord.accounts.models import Role, RoleAssignment, User
from accord.actions.models import Action, ActionStatus
from accord.core.audit import GENESIS_HASH
from accord.core.models import AuditEvent, AuditStreamHead, content_digest, seal
from accord.core.signals import employers_changed, memberships_changed
from accord.enrolments.models import Enrolment
from accord.enrolments.process import OPEN_STATES, State
from accord.membership.models import Cycle, Decision, Membership, Outcome, PolicyCheck, Review
from accord.organisations.models import Association, District, Employer, LocalAuthority
from accord.plans.models import Party, Plan, PlanStatus
from accord.register.scale import build_national_register
from accord.schemes.loader import load_builtin_scheme
from bench import dashboard_data
from bench.bulk import insert

FULL = {
    "employers": 35_000,
    "members": 5_000,
    "cycles": 100_000,
    "actions": 1_000_000,
    "audit_events": 2_000_000,
}
PLAN_ACTIONS = 1_000
DISTRICTS = 30
# Events in the history of the one enrolment measured for a long history, at scale 1.
LONG_HISTORY = 5_000
# One member in this many has late activities in its current cycle.
LATE_EVERY = 50
# One member in this many has its current cycle ended, its review overdue.
OVERDUE_EVERY = 40
EMAIL_DOMAIN = "bench.example"


@dataclass
class National:
    """What was built, and the records the benchmark's pages are about."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    personas: dict[str, int] = field(default_factory=dict)  # persona -> user id
    long_history_enrolment: int = 0
    plan: int = 0


def scaled(scale: float) -> dict[str, int]:
    return {name: max(1, round(count * scale)) for name, count in FULL.items()}


def build(scale: float = 1.0, seed: int = 9) -> National:
    """Build everything at `scale` (1.0 is national scale) in one transaction."""
    counts = scaled(scale)
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    result = National()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A bigger page cache for the build (512 MB at most; the default is 2 MB).
            cursor.execute("PRAGMA cache_size = -524288")
    with transaction.atomic():
        _timed(result, "employers and members", lambda: _register(counts))
        staff = _timed(result, "areas and people", lambda: _areas_and_people(result, rng))
        # (enrolment id, employer id) of each member, the persona's member first.
        enrolments = list(
            Membership.objects.order_by("pk").values_list("enrolment_id", "employer_id")
        )
        cycles = _timed(
            result, "cycles and reviews", lambda: _cycles(counts, enrolments, staff, rng, today)
        )
        with _without_indexes(Action, result):
            _timed(
                result,
                "actions",
                lambda: _actions(scale, counts, cycles, staff, rng, today, now, result),
            )
        history = _timed(
            result,
            "cases, policy checks and status changes",
            lambda: _dashboard(scale, cycles, staff, rng, today, now),
        )
        with _without_indexes(AuditEvent, result):
            _timed(
                result,
                "audit events",
                lambda: _audit_events(counts, enrolments, history, staff, rng, now, result),
            )
        _timed(result, "signals", _send_signals)
    _timed(result, "analyse", _analyse)
    result.counts = {
        "employers": Employer.objects.count(),
        "members": Membership.objects.count(),
        "open cases": Enrolment.objects.filter(state__in=OPEN_STATES - {State.LISTED}).count(),
        "policy checks": PolicyCheck.objects.count(),
        "cycles": Cycle.objects.count(),
        "actions": Action.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "users": User.objects.count(),
    }
    return result


def _timed(result: National, label: str, step: Callable[[], Any]) -> Any:
    start, cpu = time.perf_counter(), time.process_time()
    value = step()
    result.seconds[label] = time.perf_counter() - start
    result.cpu_seconds[label] = time.process_time() - cpu
    print(
        f"  {label}: {result.seconds[label]:.1f} s ({result.cpu_seconds[label]:.1f} s of CPU"
        " in this process)",
        flush=True,
    )
    return value


def _register(counts: dict[str, int]) -> None:
    build_national_register(
        load_builtin_scheme("vws"), employers=counts["employers"], members=counts["members"]
    )


@dataclass
class _Staff:
    officer: int
    actors: list[int]  # who the audit events are by


def _areas_and_people(result: National, rng: random.Random) -> _Staff:
    """An association for each local authority (its employers in it), NEM districts over them,
    a secretary per association, a NEM per district, a workplace rep and an employer contact
    per member, and the national officers."""
    scheme = load_builtin_scheme("vws")
    union = scheme.lead_union
    districts = District.objects.bulk_create(
        [District(name=f"Bench district {n + 1:02d}") for n in range(DISTRICTS)]
    )
    authorities = list(LocalAuthority.objects.filter(region__isnull=False).order_by("code"))
    associations = Association.objects.bulk_create(
        [
            Association(
                name=f"{la.name} association",
                region_id=la.region_id,
                district=districts[n % DISTRICTS],
            )
            for n, la in enumerate(authorities)
        ]
    )
    Association.local_authorities.through.objects.bulk_create(
        [
            Association.local_authorities.through(association=a, localauthority=la)
            for a, la in zip(associations, authorities, strict=True)
        ]
    )
    for association, la in zip(associations, authorities, strict=True):
        Employer.objects.filter(local_authority=la, association__isnull=True).update(
            association=association
        )

    members = list(
        Membership.objects.order_by("pk").values_list("employer_id", "employer__association_id")
    )
    # The persona's member: the one with the long history, in the first association that has one.
    employer_id, association_id = members[0]
    district_id = next(a.district_id for a in associations if a.pk == association_id)
    password = make_password(None)
    people: list[tuple[str, str, dict[str, Any]]] = [
        ("officer", Role.NATIONAL_OFFICER, {"union_id": union.pk}),
        ("officer2", Role.NATIONAL_OFFICER, {"union_id": union.pk}),
        (
            "secretary",
            Role.LOCAL_SECRETARY,
            {"union_id": union.pk, "association_id": association_id},
        ),
        ("nem", Role.NEM, {"union_id": union.pk, "district_id": district_id}),
        ("rep", Role.WORKPLACE_REP, {"union_id": union.pk, "employer_id": employer_id}),
        ("contact", Role.EMPLOYER_CONTACT, {"employer_id": employer_id}),
    ]
    people += [
        (f"secretary-{a.pk}", Role.LOCAL_SECRETARY, {"union_id": union.pk, "association_id": a.pk})
        for a in associations
        if a.pk != association_id
    ]
    people += [
        (f"nem-{d.pk}", Role.NEM, {"union_id": union.pk, "district_id": d.pk})
        for d in districts
        if d.pk != district_id
    ]
    for employer, _ in members[1:]:
        people.append(
            (f"rep-{employer}", Role.WORKPLACE_REP, {"union_id": union.pk, "employer_id": employer})
        )
        people.append((f"contact-{employer}", Role.EMPLOYER_CONTACT, {"employer_id": employer}))
    User.objects.bulk_create(
        [
            User(
                username=f"{name}@{EMAIL_DOMAIN}",
                email=f"{name}@{EMAIL_DOMAIN}",
                full_name=f"Bench {name}",
                password=password,
            )
            for name, _, _ in people
        ],
        batch_size=5000,
    )
    ids = dict(User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").values_list("email", "pk"))
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user_id=ids[f"{name}@{EMAIL_DOMAIN}"], role=role, **scope)
            for name, role, scope in people
        ],
        batch_size=5000,
    )
    result.personas = {
        name: ids[f"{name}@{EMAIL_DOMAIN}"]
        for name in ("officer", "secretary", "nem", "rep", "contact")
    }
    actors = sorted(ids.values())
    return _Staff(
        officer=result.personas["officer"],
        actors=rng.sample(actors, min(200, len(actors))),
    )


def _cycles(
    counts: dict[str, int],
    enrolments: list[tuple[int, int]],
    staff: _Staff,
    rng: random.Random,
    today: datetime.date,
) -> list[tuple[int, int, datetime.date, datetime.date, bool]]:
    """Each member's yearly cycles up to a current one that started within the past year (for
    one member in OVERDUE_EVERY, ended without its review); every earlier cycle reviewed
    (`_outcome`) and confirmed. Returns (cycle id, enrolment id, starts, ends, current) in key
    order."""
    principles = load_builtin_scheme("vws").current_principles()
    now = timezone.now()
    total = counts["cycles"]
    per, extra = divmod(total, len(enrolments))
    rows = []
    plan: list[tuple[int, int, datetime.date, datetime.date]] = []
    for n, (enrolment, _) in enumerate(enrolments):
        how_many = per + (n < extra)
        current_start = today - datetime.timedelta(days=rng.randrange(365))
        if n % OVERDUE_EVERY == 1:
            # Its current cycle ended up to four months ago, and its review is overdue.
            current_start = today - datetime.timedelta(days=365 + rng.randrange(1, 120))
        for number in range(1, how_many + 1):
            starts = current_start - datetime.timedelta(days=365 * (how_many - number))
            ends = starts + datetime.timedelta(days=364)
            plan.append((enrolment, number, starts, ends))
            rows.append(
                {
                    "enrolment_id": enrolment,
                    "number": number,
                    "principle_version_id": principles[(number - 1) % len(principles)].pk,
                    "objectives": "Hold a termly joint committee.\nAgree a workload charter.",
                    "success_criteria": "Three meetings with minutes; the charter published.",
                    "starts_on": starts,
                    "ends_on": ends,
                    "union_confirmed_at": now,
                    "union_confirmed_by_id": staff.officer,
                    "partners_signed_at": now,
                    "employer_confirmed_at": now,
                    "employer_confirmed_by_id": staff.officer,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    insert(Cycle, rows)
    ids = {
        (enrolment, number): pk
        for pk, enrolment, number in Cycle.objects.values_list("pk", "enrolment_id", "number")
    }
    last = {}
    for enrolment, number, _, _ in plan:
        last[enrolment] = max(last.get(enrolment, 0), number)
    cycles = [
        (ids[(enrolment, number)], enrolment, starts, ends, number == last[enrolment])
        for enrolment, number, starts, ends in plan
    ]
    outcomes = [_outcome(rng) for _ in cycles]
    insert(
        Review,
        (
            {
                "cycle_id": cycle,
                "held_on": ends,
                "outcome": outcome,
                "evidence": "Minutes of the joint committee.",
                "notes": "",
                "decision": decision,
                "extended_to": None,
                "recorded_by_id": staff.officer,
                "recorded_at": now,
                "partners_signed_at": now,
                "employer_confirmed_at": now,
                "employer_confirmed_by_id": staff.officer,
                "employer_comment": "",
            }
            for (cycle, _, _, ends, current), (outcome, decision) in zip(
                cycles, outcomes, strict=True
            )
            if not current
        ),
    )
    return cycles


def _outcome(rng: random.Random) -> tuple[Outcome, Decision]:
    """Three reviews in four met; the others partly met or not met, with a revised objective."""
    draw = rng.random()
    if draw < 0.75:
        return Outcome.MET, Decision.NEXT_CYCLE
    return (Outcome.PARTLY_MET if draw < 0.9 else Outcome.NOT_MET), Decision.REVISE


def _actions(
    scale: float,
    counts: dict[str, int],
    cycles: list[tuple[int, int, datetime.date, datetime.date, bool]],
    staff: _Staff,
    rng: random.Random,
    today: datetime.date,
    now: datetime.datetime,
    result: National,
) -> None:
    """The plan's 1,000 actions, the smaller plans' (bench/dashboard_data.py), then the rest
    spread over the cycles: done when due before today, except in the current cycles of one
    member in LATE_EVERY."""
    plan = Plan.objects.create(
        title="National workload plan",
        adopted_on=today - datetime.timedelta(days=400),
        status=PlanStatus.ACTIVE,
        next_review_on=today + datetime.timedelta(days=60),
        created_by_id=staff.officer,
    )
    parties = Party.objects.bulk_create(
        [
            Party(plan=plan, name="Employers' side", position=1),
            Party(plan=plan, name="Trade Union side", position=2),
        ]
    )
    result.plan = plan.pk
    statuses = list(ActionStatus)
    insert(
        Action,
        (
            _action(
                plan_id=plan.pk,
                number=n,
                due_on=plan.adopted_on + datetime.timedelta(days=n),
                status=statuses[rng.randrange(len(statuses))],
                owner_party_id=parties[n % 2].pk,
                now=now,
            )
            for n in range(1, PLAN_ACTIONS + 1)
        ),
    )
    smaller = dashboard_data.plans(scale, staff.officer, rng, today, now)
    total = max(counts["actions"] - PLAN_ACTIONS - smaller, 0)
    per, extra = divmod(total, len(cycles))

    def rows() -> Iterator[dict[str, Any]]:
        for n, (cycle, enrolment, starts, ends, current) in enumerate(cycles):
            how_many = per + (n < extra)
            late = current and enrolment % LATE_EVERY == 0
            span = (ends - starts).days
            for number in range(1, how_many + 1):
                due = starts + datetime.timedelta(days=span * number // (how_many + 1))
                done = due < today and not late
                yield _action(
                    cycle_id=cycle,
                    number=number,
                    due_on=due,
                    status=ActionStatus.DONE if done else ActionStatus.NOT_STARTED,
                    owner_party_id=None,
                    now=now,
                )

    insert(Action, rows())


def _action(*, now: datetime.datetime, **values: Any) -> dict[str, Any]:
    number = values["number"]
    return {
        "cycle_id": None,
        "plan_id": None,
        "concern_id": None,
        "detail": f"Activity {number}: meet, agree and publish the next step",
        "owner": "Headteacher" if number % 2 else "Union representative",
        "due_wording": "",
        "source": "{}",
        "created_at": now,
        "updated_at": now,
        **values,
    }


def _dashboard(
    scale: float,
    cycles: list[tuple[int, int, datetime.date, datetime.date, bool]],
    staff: _Staff,
    rng: random.Random,
    today: datetime.date,
    now: datetime.datetime,
) -> list[dashboard_data.HistoryEvent]:
    """What the dashboard reads beyond the register (bench/dashboard_data.py); returns the
    history its records carry, for the audit trail."""
    scheme = load_builtin_scheme("vws")
    principles = [p.pk for p in scheme.current_principles()]
    current = {enrolment: (cycle, ends) for cycle, enrolment, _, ends, now_ in cycles if now_}
    history = dashboard_data.member_histories(rng)
    history += dashboard_data.cases(scale, scheme, staff.officer, rng, now)
    dashboard_data.policy_checks(scale, principles, staff.actors, rng, now)
    history += dashboard_data.status_changes(staff.officer, current, rng, today, now)
    return history


def _audit_events(
    counts: dict[str, int],
    enrolments: list[tuple[int, int]],
    history: list[dashboard_data.HistoryEvent],
    staff: _Staff,
    rng: random.Random,
    now: datetime.datetime,
    result: National,
) -> None:
    """The trail: the records' own histories (`history`: cases' steps, status changes), an
    import event for every employer, an event for each plan action, a long history for one
    member, and the rest over the members' histories at random."""
    total = counts["audit_events"]
    history = sorted(history, key=lambda event: event.created_at)
    employer_ids = list(Employer.objects.order_by("pk").values_list("pk", flat=True))
    long_enrolment = enrolments[0][0]
    result.long_history_enrolment = long_enrolment
    long_history = max(500, min(total // 4, round(LONG_HISTORY * total / FULL["audit_events"])))
    long_stream = _STREAMS[ENROLMENT][0].format(long_enrolment)
    long_history -= sum(event.stream == long_stream for event in history)
    # One number per event naming its stream: the kind of record times BASE plus its key.
    streams = array("q")
    streams.extend(EMPLOYER * BASE + pk for pk in employer_ids[: total // 2])
    plan_events = min(PLAN_ACTIONS, total // 10)
    streams.extend([PLAN * BASE + result.plan] * plan_events)
    streams.extend([ENROLMENT * BASE + long_enrolment] * long_history)
    rest = max(total - len(streams) - len(history), 0)
    others = [pk for pk, _ in enrolments[1:]] or [long_enrolment]
    streams.extend(ENROLMENT * BASE + others[rng.randrange(len(others))] for _ in range(rest))
    # Interleaved in time, as a real trail is; each stream's events stay in order by id.
    rng.shuffle(streams)

    heads: dict[str, tuple[int, str]] = {}
    names = sorted(
        {_STREAMS[code // BASE][0].format(code % BASE) for code in set(streams)}
        | {event.stream for event in history}
    )
    for start in range(0, len(names), 1000):
        for head in AuditStreamHead.objects.filter(stream__in=names[start : start + 1000]):
            heads[head.stream] = (head.sequence, head.hash)
    existing = set(heads)
    first = now - datetime.timedelta(days=5 * 365)
    step = (now - first) / max(len(streams), 1)
    kinds = [
        (
            "action.updated",
            "Activity {n} marked in progress",
            {"status": ["not_started", "in_progress"]},
        ),
        ("action.updated", "Activity {n} done", {"status": ["in_progress", "done"]}),
        ("note.added", "Note added", {"text": [None, "Met the head; minutes to follow."]}),
        ("cycle.confirmed", "Cycle {n} confirmed", {"union_confirmed_at": [None, "confirmed"]}),
        ("review.recorded", "Review of cycle {n} recorded", {"outcome": [None, "met"]}),
    ]

    def sealed(n: int, values: dict[str, Any]) -> dict[str, Any]:
        """`values` as the next event of its stream, sealed."""
        sequence, previous = heads.get(values["stream"], (0, GENESIS_HASH))
        values["sequence"], values["previous_hash"] = sequence + 1, previous
        values["content_salt"] = secrets.token_hex(16)
        values["content_digest"] = _content_digest(values)
        values["hash"] = _seal(values)
        values["redacted_at"] = None
        # The fast seal must be the model's own: checked on a sample.
        if n % 10_000 == 0 and AuditEvent(**values).compute_hash() != values["hash"]:
            raise RuntimeError("bench/national.py seals audit events differently.")
        heads[values["stream"]] = (values["sequence"], values["hash"])
        values["changes"] = json.dumps(values["changes"])
        return values

    def rows() -> Iterator[dict[str, Any]]:
        for n, event in enumerate(history):
            yield sealed(
                n,
                {
                    "created_at": event.created_at,
                    "actor_id": staff.actors[n % len(staff.actors)],
                    "action": event.action,
                    "summary": event.summary,
                    "target_type": event.target_type,
                    "target_id": event.target_id,
                    "context": event.stream,
                    "changes": event.changes,
                    "note": "",
                    "internal": event.internal,
                    "stream": event.stream,
                },
            )
        for n, code in enumerate(streams):
            pattern, target_type = _STREAMS[code // BASE]
            target_id = str(code % BASE)
            stream = pattern.format(target_id)
            if target_type == "organisations.employer":
                action, summary, changes = (
                    "employer.imported",
                    "Imported from GIAS",
                    {"name": [None, "Imported"]},
                )
            else:
                action, summary, changes = kinds[n % len(kinds)]
                summary = summary.format(n=n % 10 + 1)
            yield sealed(
                n,
                {
                    "created_at": first + step * n,
                    "actor_id": staff.actors[n % len(staff.actors)] if n % 7 else None,
                    "action": action,
                    "summary": summary,
                    "target_type": target_type,
                    "target_id": target_id,
                    "context": stream,
                    "changes": changes,
                    "note": "",
                    "internal": n % 11 == 0,
                    "stream": stream,
                },
            )

    insert(AuditEvent, rows(), json_done=True)
    insert(
        AuditStreamHead,
        (
            {"stream": s, "sequence": seq, "hash": h}
            for s, (seq, h) in heads.items()
            if s not in existing
        ),
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {AuditStreamHead._meta.db_table} SET sequence = %s, hash = %s"
            " WHERE stream = %s",
            [(seq, h, s) for s, (seq, h) in heads.items() if s in existing],
        )


def _content_digest(values: dict[str, Any]) -> str:
    """`AuditEvent.compute_content_digest` without making a model instance."""
    content = {"summary": values["summary"], "changes": values["changes"], "note": values["note"]}
    return content_digest(
        values["content_salt"],
        json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode(),
    )


def _seal(values: dict[str, Any]) -> str:
    """`AuditEvent.compute_hash` without making a model instance (ten times faster)."""
    payload = {
        "stream": values["stream"],
        "sequence": values["sequence"],
        "previous": values["previous_hash"],
        "created_at": values["created_at"]
        .astimezone(datetime.UTC)
        .isoformat(timespec="microseconds"),
        "actor": values["actor_id"],
        "action": values["action"],
        "content": values["content_digest"],
        "target_type": values["target_type"],
        "target_id": values["target_id"],
        "context": values["context"],
        "internal": values["internal"],
    }
    return seal(
        json.dumps(
            payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()
    )


EMPLOYER, PLAN, ENROLMENT = 0, 1, 2
BASE = 10**12
_STREAMS = {
    EMPLOYER: ("employer:{}", "organisations.employer"),
    PLAN: ("plan:{}", "plans.plan"),
    ENROLMENT: ("enrolment:{}", "enrolments.enrolment"),
}


def _send_signals() -> None:
    employers_changed.send(
        sender=Employer, employer_ids=list(Employer.objects.values_list("pk", flat=True))
    )
    memberships_changed.send(
        sender=Membership, membership_ids=list(Membership.objects.values_list("pk", flat=True))
    )


def _analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Bulk insertion


@contextmanager
def _without_indexes(model: type[models.Model], result: National) -> Iterator[None]:
    """Drop a table's plain indexes for a bulk load and make them again afterwards: one sorted
    build is far cheaper than millions of random insertions. Indexes that back a constraint
    (the primary key, unique constraints) stay."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname"
                " NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL",
                [table],
            )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield

    def make_again() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # PostgreSQL will not index a table with foreign-key checks still pending (they
                # are deferred to the commit): run them now, then defer again.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for _, sql in indexes:
                cursor.execute(sql)

    _timed(result, f"{len(indexes)} indexes of {table} made again", make_again)


# Kept for callers that want a summary line.
def describe(result: National) -> str:
    counts = ", ".join(f"{n:,} {label}" for label, n in result.counts.items())
    steps = ", ".join(f"{label} {s:.1f} s" for label, s in result.seconds.items())
    return (
        f"{counts}\n  built in {sum(result.seconds.values()):.0f} s, of which"
        f" {sum(result.cpu_seconds.values()):.0f} s of CPU in this process ({steps})"
    )
