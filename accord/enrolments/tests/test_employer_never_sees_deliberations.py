"""The employer contact never sees the unions' internal deliberations, on any page it can open.

The internal steps are listed by hand from the brief: the employer contact "never sees internal
union deliberations (NEM objections, partner positions, internal notes)"; deciding whether and
how to approach the employer (proposal, endorsement, the NEM's view, the partner unions'
positions, reopening, withdrawing) is the unions' business among themselves.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accord.core.models import AuditEvent
from accord.enrolments import services
from accord.enrolments.models import ApproachMethod, Enrolment, Initiator, Position
from accord.enrolments.process import STEPS, State, step
from accord.notifications.models import CalendarFeed
from tests.world import World

# By hand, from the brief (see the module's docstring); not read from process.py.
INTERNAL_STEPS = {
    "propose",
    "endorse",
    "decline",
    "record_no_objection",
    "record_objection",
    "record_partner_position",
    "mark_not_represented",
    "reopen_discussion",
    "withdraw",
    "add_note",
    # Which partner unions are represented locally, and who speaks for each, is the unions'
    # own business, as their positions are: to the employer the commitment is confirmed by
    # "the unions".
    "cosign_commitment",
}


def _marker(name: str) -> str:
    return f"Deliberation-{name.replace('_', '-')}"


def _propose(world: World, name: str = "propose") -> Enrolment:
    # The employer asked to join, so its contact sees the enrolment from the first step.
    return services.propose(
        scheme=world.scheme,
        employer=world.employer,
        actor=world.users["rep"],
        data={"initiated_by": Initiator.EMPLOYER, "reason": _marker(name)},
    )


def _take(world: World, enrolment: Enrolment, name: str, who: str, **data: object) -> Enrolment:
    return services.take_step(enrolment, step(name), actor=world.users[who], data=data)


def _every_internal_step(world: World) -> list[Enrolment]:
    """Take every internal step through the services, on four enrolments one after another."""
    declined = _propose(world)
    _take(world, declined, "add_note", "rep", note=_marker("add_note"))
    _take(world, declined, "decline", "secretary", reason=_marker("decline"))

    objected = _propose(world)
    _take(world, objected, "endorse", "secretary", note=_marker("endorse"))
    _take(world, objected, "record_objection", "nem", reason=_marker("record_objection"))

    withdrawn = _propose(world)
    _take(world, withdrawn, "withdraw", "secretary", reason=_marker("withdraw"))

    approached = _propose(world)
    _take(world, approached, "endorse", "secretary")
    _take(world, approached, "record_no_objection", "nem", note=_marker("record_no_objection"))
    position = _marker("record_partner_position")
    _take(world, approached, "record_partner_position", "gmb", position=Position.DISAGREE,
          reason=position)  # fmt: skip
    _take(world, approached, "reopen_discussion", "secretary", reason=_marker("reopen_discussion"))
    for who in ("gmb", "unison"):
        _take(world, approached, "record_partner_position", who, position=Position.AGREE,
              reason=position)  # fmt: skip
    _take(world, approached, "mark_not_represented", "secretary",
          union=world.unions["Unite"], note=_marker("mark_not_represented"))  # fmt: skip
    _take(world, approached, "record_approach", "secretary",
          approach_method=ApproachMethod.JCC, jcc_name="Staff JCC",
          jcc_meeting_date=approached.created_at.date())  # fmt: skip
    _take(world, approached, "add_note", "secretary", note=_marker("add_note"))
    journey = world.journey()
    drafted = journey.to_state(
        Enrolment.objects.get(pk=approached.pk), State.COMMITMENT_DRAFTED, "secretary"
    )
    _take(world, drafted, "cosign_commitment", "gmb", confirm=True,
          note=_marker("cosign_commitment"))  # fmt: skip
    return [declined, objected, withdrawn, approached]


def _employer_pages(world: World, enrolments: list[Enrolment]) -> dict[str, str]:
    """Every page the employer contact may open that could tell of an enrolment."""
    client = Client()
    client.force_login(world.users["employer"])
    feed, _ = CalendarFeed.objects.get_or_create(user=world.users["employer"])
    urls = [
        reverse("enrolments"),
        reverse("tasks"),
        reverse("employer", args=[world.employer.pk]),
        reverse("calendar-feed", args=[feed.token]),
    ]
    for enrolment in enrolments:
        urls += [
            reverse("enrolment", args=[enrolment.pk]),
            reverse("enrolment-diagram", args=[enrolment.pk]),
        ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_no_internal_steps_event_reaches_any_page_of_the_employer(world: World) -> None:
    enrolments = _every_internal_step(world)
    events = AuditEvent.objects.filter(context__startswith="enrolment:")
    taken = {event.action.removeprefix("enrolment.") for event in events}
    assert taken >= INTERNAL_STEPS  # the scenario really took each of them

    pages = _employer_pages(world, enrolments)
    leaks = {}
    for name in sorted(INTERNAL_STEPS):
        said = {_marker(name)} | {e.summary for e in events if e.action == f"enrolment.{name}"}
        shown = {
            (url, text)
            for url, page in pages.items()
            for text in said
            if text in page or escape(text) in page  # "union's" is "union&#x27;s" in HTML
        }
        if shown:
            leaks[name] = shown
    assert leaks == {}

    # The page is not simply empty: the employer does see the approach made to it.
    approach = events.get(action="enrolment.record_approach")
    assert approach.summary in pages[reverse("enrolment", args=[enrolments[-1].pk])]


def test_the_declaration_marks_exactly_the_union_deliberations_as_internal() -> None:
    assert {s.name for s in STEPS if s.internal} == INTERNAL_STEPS
