"""Concerns about a member: raising (signed in, or the public with a confirmed address), the
employer's response, the decision and one appeal to another officer; who sees what."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts import subject_access
from accord.accounts.models import Role, RoleAssignment, User
from accord.actions.models import Action
from accord.core.models import AuditEvent
from accord.core.outbox import OutboxMessage
from accord.enrolments.process import State
from accord.membership import concerns
from accord.membership.concern_forms import DecisionForm
from accord.membership.models import (
    AppealSide,
    Concern,
    ConcernOutcome,
    ConcernState,
    Membership,
    MembershipStatus,
)
from accord.membership.services import MembershipError
from tests.world import PASSWORD, World

SUBJECT = "Supply staff are refused the staff consultation."


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _second_officer(world: World) -> User:
    user = User.objects.create_user(
        "officer2@example.org", email="officer2@example.org", password=PASSWORD, full_name="Owen"
    )
    RoleAssignment.objects.create(
        user=user, role=Role.NATIONAL_OFFICER, union=world.unions["NASUWT"]
    )
    return user


def _decided(world: World, membership: Membership, outcome: str = "remedies") -> Concern:
    """A signed-in concern put to the employer, answered, and decided by the first officer."""
    users = world.users
    concern = concerns.raise_concern(membership, actor=users["outsider"], data={"subject": SUBJECT})
    concerns.put_to_employer(concern, actor=users["officer"], data={"put_note": "Answer it."})
    concerns.respond(concern, actor=users["employer"], data={"response": "We now include them."})
    remedies = [
        {
            "detail": "Invite supply staff to the consultation",
            "owner": "Head teacher",
            "due_on": timezone.localdate() + datetime.timedelta(days=60),
        }
    ]
    return concerns.decide(
        concern,
        actor=users["officer"],
        data={"outcome": outcome, "reasons": "Agreed with the head.", "remedies": remedies},
    )


def test_a_public_concern_is_confirmed_by_its_link_before_officers_see_it(
    world: World, django_capture_on_commit_callbacks, deliver_outbox
) -> None:  # type: ignore[no-untyped-def]
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    url = reverse("concern-raise", args=[membership.reference])
    public = _client()
    verification = public.get(membership.get_absolute_url())
    assert url in verification.content.decode()

    missing = public.post(url, {"raiser_name": "", "raiser_email": "pat@example.net"})
    assert missing.status_code == 400
    assert set(missing.context["form"].errors) == {"raiser_name", "subject"}
    assert not Concern.objects.exists()

    # The trap: a robot that fills every field is thanked, and nothing is kept.
    robot = public.post(
        url,
        {
            "raiser_name": "Bot",
            "raiser_email": "bot@example.net",
            "subject": "Buy now",
            "website": "http://spam.example",
        },
    )
    assert robot.status_code == 302 and not Concern.objects.exists()

    deliver_outbox()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = public.post(
            url,
            {"raiser_name": "Pat Public", "raiser_email": "pat@example.net", "subject": SUBJECT},
        )
    deliver_outbox()
    assert sent.status_code == 302 and sent["Location"] == reverse("concern-sent")
    concern = Concern.objects.get()
    assert concern.state == ConcernState.UNCONFIRMED
    [message] = mail.outbox
    assert message.to == ["pat@example.net"]
    link = next(line for line in message.body.splitlines() if "/concerns/link/" in line).strip()

    officer = _client(world.users["officer"])
    assert concern.get_absolute_url() not in officer.get(reverse("concerns")).content.decode()
    assert officer.get(reverse("tasks")).context["concern_tasks"] == []

    path = link.removeprefix("http://testserver").removeprefix("http://127.0.0.1:8000")
    page = public.get(path)
    assert page.status_code == 200 and "Confirm my concern" in page.content.decode()
    public.post(path, {"step": "confirm"})
    concern.refresh_from_db()
    assert concern.state == ConcernState.OPEN
    assert concern.get_absolute_url() in officer.get(reverse("concerns")).content.decode()
    [(task, label)] = officer.get(reverse("tasks")).context["concern_tasks"]
    assert task == concern and label.startswith("Consider the new concern")
    # Sent twice, or an appeal before any decision: no harm, no error page.
    assert public.post(path, {"step": "confirm"}).status_code == 302
    assert public.post(path, {"step": "appeal", "grounds": "x"}).status_code == 302
    assert public.get("/concerns/link/not-a-token/").status_code == 404
    # Nothing public shows it: not the register, not the verification page.
    for public_page in (reverse("register"), membership.get_absolute_url()):
        body = public.get(public_page).content.decode()
        assert SUBJECT not in body and "Pat Public" not in body


def test_the_public_form_is_limited_per_address_and_per_connection(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_CONCERN_LIMIT_PER_EMAIL = 2
    settings.ACCORD_CONCERN_LIMIT_PER_IP = 3
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    url = reverse("concern-raise", args=[membership.reference])
    public = _client()

    def raise_as(email: str, subject: str = SUBJECT):  # type: ignore[no-untyped-def]
        return public.post(url, {"raiser_name": "Pat", "raiser_email": email, "subject": subject})

    assert raise_as("pat@example.net").status_code == 302
    assert raise_as("PAT@example.net", "Another matter").status_code == 302
    refused = raise_as("pat@example.net", "A third matter")
    assert refused.status_code == 400
    assert "as many concerns as it may today" in refused.context["form"].errors["raiser_email"][0]
    assert raise_as("sam@example.net").status_code == 302
    blocked = raise_as("kim@example.net")
    assert blocked.status_code == 400
    assert "from your connection" in blocked.context["form"].non_field_errors()[0]
    assert Concern.objects.count() == 3


def test_unconfirmed_concerns_close_after_a_week(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    data = {"subject": SUBJECT, "raiser_name": "Pat", "raiser_email": "pat@example.net"}
    concern = concerns.raise_concern(membership, actor=None, data=data)
    today = timezone.localdate()
    assert concerns.expire_unconfirmed(today + datetime.timedelta(days=7)) == 0
    assert concerns.expire_unconfirmed(today + datetime.timedelta(days=8)) == 1
    concern.refresh_from_db()
    assert concern.state == ConcernState.EXPIRED
    with pytest.raises(MembershipError):
        concerns.confirm(concern)


def test_a_decision_waits_for_the_response_or_its_deadline(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    users = world.users
    concern = concerns.raise_concern(membership, actor=users["outsider"], data={"subject": SUBJECT})
    decision = {"outcome": "suspension", "reasons": "Serious.", "remedies": []}
    with pytest.raises(MembershipError, match="Put the concern to the employer first"):
        concerns.decide(concern, actor=users["officer"], data=decision)
    concerns.put_to_employer(concern, actor=users["officer"], data={"put_note": ""})
    concern.refresh_from_db()
    assert concern.response_due_on == timezone.localdate() + datetime.timedelta(days=28)
    with pytest.raises(MembershipError, match="may respond until"):
        concerns.decide(concern, actor=users["officer"], data=decision)
    with time_machine.travel(concern.response_due_on + datetime.timedelta(days=1), tick=False):
        concerns.decide(concern, actor=users["officer"], data=decision)
        membership.refresh_from_db()
        assert membership.status == MembershipStatus.SUSPENDED
        assert membership.logo_stop_requested_on == timezone.localdate()
    concern.refresh_from_db()
    assert concern.state == ConcernState.DECIDED and concern.outcome == "suspension"
    kinds = list(concern.events.values_list("kind", flat=True))
    assert kinds == ["raise", "put_to_employer", "decide"]
    # Its audit trail is its own: the member's timeline never carries a concern.
    assert AuditEvent.objects.filter(context=f"concern:{concern.pk}").count() == 3
    assert not AuditEvent.objects.filter(
        context=membership.enrolment.audit_context, action__startswith="concern."
    ).exists()


def test_remedies_are_actions_and_an_appeal_goes_once_to_another_officer(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    officer2 = _second_officer(world)
    concern = _decided(world, membership)
    [remedy] = concern.remedies.all()
    assert (remedy.number, remedy.owner, remedy.cycle_id, remedy.plan_id) == (
        1,
        "Head teacher",
        None,
        None,
    )
    assert _client(world.users["employer"]).get(remedy.get_absolute_url()).status_code == 200
    assert _client(world.users["secretary"]).get(remedy.get_absolute_url()).status_code == 404
    # One of a cycle, a plan or a concern, never two.
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(
            concern=concern,
            cycle=membership.enrolment.cycles.first(),
            number=9,
            detail="x",
            owner="x",
            due_on=timezone.localdate(),
        )

    concerns.appeal(
        concern,
        side=AppealSide.EMPLOYER,
        actor=world.users["employer"],
        data={"grounds": "Unfair."},
    )
    with pytest.raises(MembershipError):
        concerns.appeal(concern, side=AppealSide.RAISER, actor=None, data={"grounds": "Again."})
    confirm = {"outcome": "remedies", "reasons": "The remedies stand.", "remedies": []}
    with pytest.raises(MembershipError, match="other than the one who decided"):
        concerns.decide_appeal(concern, actor=world.users["officer"], data=confirm)
    step = reverse("concern-step", args=[concern.pk, "appeal-decision"])
    assert _client(world.users["officer"]).get(step).status_code == 403
    concerns.decide_appeal(concern, actor=officer2, data=confirm)
    concern.refresh_from_db()
    assert concern.state == ConcernState.APPEAL_DECIDED
    assert (concern.appeal_outcome, concern.appeal_decided_by) == ("remedies", officer2)
    assert concern.remedies.count() == 1


def test_an_appeal_is_refused_after_28_days(world: World) -> None:
    world.enrolment(State.LISTED)
    concern = _decided(world, Membership.objects.get(), outcome=ConcernOutcome.NO_ACTION)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=29), tick=False),
        pytest.raises(MembershipError, match="can no longer be appealed"),
    ):
        concerns.appeal(concern, side=AppealSide.RAISER, actor=None, data={"grounds": "Too late."})


# --- who sees what: written out by hand from the brief --------------------------------------

STATES = ["open", "put_to_employer", "decided", "appealed"]
# persona: what /concerns/<pk>/ answers at each state (302: to sign in; 404: not known to exist)
DETAIL = {
    "raiser": [200, 200, 200, 200],
    "employer": [404, 200, 200, 200],
    "officer": [200, 200, 200, 200],
    "officer2": [200, 200, 200, 200],
    "other_officer": [404, 404, 404, 404],  # a partner union's national officer
    "secretary": [404, 404, 404, 404],
    "nem": [404, 404, 404, 404],
    "rep": [404, 404, 404, 404],
    "gmb": [404, 404, 404, 404],
    "auditor": [404, 404, 404, 404],
    "other_employer": [404, 404, 404, 404],
    "anonymous": [302, 302, 302, 302],
}
# persona: whether the concern is in their list at /concerns/ at each state
LISTED = {
    "raiser": [True, True, True, True],
    "employer": [False, True, True, True],
    "officer": [True, True, True, True],
    "officer2": [True, True, True, True],
    "other_officer": [False] * 4,
    "secretary": [False] * 4,
    "nem": [False] * 4,
    "rep": [False] * 4,
    "gmb": [False] * 4,
    "auditor": [False] * 4,
    "other_employer": [False] * 4,
}
# Who may read who raised it, on the concern's page: the national officers of the lead union.
SEES_RAISER = {"officer", "officer2"}
# Who reads what it is about: the officers, the raiser, and the employer once it is put to it.
SEES_SUBJECT = {
    "raiser": [True] * 4,
    "employer": [False, True, True, True],
    "officer": [True] * 4,
    "officer2": [True] * 4,
}


def _in_state(world: World, membership: Membership, state: str, public: bool) -> Concern:
    users = world.users
    data = {"subject": f"{SUBJECT} ({state}, {'public' if public else 'signed in'})"}
    if public:
        data |= {"raiser_name": "Pat Public", "raiser_email": "pat@example.net"}
    concern = concerns.raise_concern(
        membership, actor=None if public else users["outsider"], data=data
    )
    if public:
        concern = concerns.confirm(concern)
    if state == "open":
        return concern
    concerns.put_to_employer(concern, actor=users["officer"], data={"put_note": "Answer it."})
    if state == "put_to_employer":
        return Concern.objects.get(pk=concern.pk)
    concerns.respond(concern, actor=users["employer"], data={"response": "Our answer."})
    concerns.decide(
        concern, actor=users["officer"], data={"outcome": "no_action", "reasons": "Answered."}
    )
    if state == "appealed":
        concerns.appeal(
            concern, side=AppealSide.RAISER, actor=None, data={"grounds": "Not answered."}
        )
    return Concern.objects.get(pk=concern.pk)


@pytest.mark.django_db
def test_who_sees_a_concern_at_each_state(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACCORD_CONCERN_LIMIT_PER_EMAIL = 100
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    world.users["officer2"] = _second_officer(world)
    signed_in = {s: _in_state(world, membership, s, public=False) for s in STATES}
    public = {s: _in_state(world, membership, s, public=True) for s in STATES}
    raiser = world.users["outsider"]
    clients = {
        persona: _client(None if persona == "anonymous" else world.users.get(persona, raiser))
        for persona in DETAIL
    }
    clients["raiser"] = _client(raiser)
    lists = {p: c.get(reverse("concerns")) for p, c in clients.items() if p in LISTED}
    for persona, client in clients.items():
        for index, state in enumerate(STATES):
            concern = signed_in[state]
            response = client.get(concern.get_absolute_url())
            assert response.status_code == DETAIL[persona][index], (persona, state)
            if persona in LISTED:
                listed = concern.get_absolute_url() in lists[persona].content.decode()
                assert listed == LISTED[persona][index], (persona, state, "list")
            if response.status_code != 200:
                continue
            body = response.content.decode()
            assert (raiser.email in body) == (persona in SEES_RAISER), (persona, state)
            assert (concern.subject in body) == SEES_SUBJECT[persona][index], (persona, state)
            assert "Our answer." not in body or persona != "raiser"
    # The public raiser, through the link, sees the state and never the response or reasons.
    anonymous = clients["anonymous"]
    for state in STATES:
        concern = public[state]
        page = anonymous.get(reverse("concern-link", args=[concerns.link_token(concern)]))
        body = page.content.decode()
        assert page.status_code == 200 and concern.get_state_display() in body
        assert "Our answer." not in body and "Answered." not in body
    # A public concern never confirmed is known to nobody but its raiser's link.
    unconfirmed = concerns.raise_concern(
        membership,
        actor=None,
        data={"subject": SUBJECT, "raiser_name": "Pat Public", "raiser_email": "pat@example.net"},
    )
    for persona in ("officer", "officer2", "employer"):
        assert clients[persona].get(unconfirmed.get_absolute_url()).status_code == 404, persona
    # The raiser's list shows where each concern has got to, never the employer's deadline.
    due = signed_in["put_to_employer"].response_due_on
    assert f"{due:%-d %b %Y}" not in lists["raiser"].content.decode()
    assert f"{due:%-d %b %Y}" in lists["officer"].content.decode()
    # The employer never learns who raised a public concern either.
    body = clients["employer"].get(public["decided"].get_absolute_url()).content.decode()
    assert "Pat Public" not in body and "pat@example.net" not in body
    # Public pages and the member's own pages show nothing of any concern.
    for path in (reverse("register"), membership.get_absolute_url()):
        body = anonymous.get(path).content.decode()
        assert SUBJECT not in body and "Pat Public" not in body
    for persona in ("secretary", "rep", "auditor"):
        body = clients[persona].get(membership.enrolment.get_absolute_url()).content.decode()
        assert SUBJECT not in body, persona


def test_evidence_follows_the_upload_rules_and_only_officers_read_the_raisers(
    world: World, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    url = reverse("concern-raise", args=[membership.reference])
    raiser = _client(world.users["outsider"])
    bad = raiser.post(
        url,
        {"subject": SUBJECT, "file": SimpleUploadedFile("run.exe", b"MZ\x90\x00", "text/plain")},
    )
    assert bad.status_code == 400 and "file" in bad.context["form"].errors
    assert not Concern.objects.exists()
    good = raiser.post(
        url,
        {"subject": SUBJECT, "file": SimpleUploadedFile("notes.txt", b"Minutes.", "text/plain")},
    )
    concern = Concern.objects.get()
    assert good.status_code == 302 and good["Location"] == concern.get_absolute_url()
    [evidence] = concern.evidence.all()
    concerns.put_to_employer(concern, actor=world.users["officer"], data={"put_note": ""})
    assert _client(world.users["officer"]).get(evidence.get_absolute_url()).status_code == 200
    for persona in ("employer", "outsider", "secretary"):
        assert _client(world.users[persona]).get(evidence.get_absolute_url()).status_code == 404


# --- what a decision tells, and to whom -----------------------------------------------------

REASONS = "Zebra-striped misconduct in the staffroom"


def test_a_suspension_tells_the_members_readers_nothing_of_the_concern(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    concern = _decided(world, membership, outcome=ConcernOutcome.NO_ACTION)
    # Reasons and remedies are on the concern's own record only.
    other = concerns.raise_concern(
        membership, actor=world.users["outsider"], data={"subject": SUBJECT}
    )
    concerns.put_to_employer(other, actor=world.users["officer"], data={"put_note": ""})
    concerns.respond(other, actor=world.users["employer"], data={"response": "No."})
    concerns.decide(
        other,
        actor=world.users["officer"],
        data={"outcome": "suspension", "reasons": REASONS, "remedies": []},
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.SUSPENDED
    raiser = world.users["outsider"]
    for persona in ("rep", "secretary", "nem", "unison", "gmb", "auditor"):
        page = _client(world.users[persona]).get(membership.enrolment.get_absolute_url())
        body = page.content.decode()
        assert page.status_code == 200, persona
        assert REASONS not in body and "Agreed with the head." not in body, persona
        # The page's one mention: its link for anyone to raise a concern.
        body = body.lower().replace("raise a concern about this member", "")
        assert "concern" not in body.replace("/concerns/new/", ""), persona
        assert raiser.full_name not in body and raiser.email not in body, persona
    assert concern.reasons == "Agreed with the head."


def test_a_decision_changes_the_status_only_when_it_can_and_its_appeal_undoes_only_its_own(
    world: World,
) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    officer2 = _second_officer(world)
    concern = _decided(world, membership, outcome=ConcernOutcome.SUSPENSION)
    assert concern.changed_status is True
    # Suspended already: a second concern's suspension is refused, not silently ignored.
    second = concerns.raise_concern(
        membership, actor=world.users["outsider"], data={"subject": "x"}
    )
    concerns.put_to_employer(second, actor=world.users["officer"], data={"put_note": ""})
    concerns.respond(second, actor=world.users["employer"], data={"response": "No."})
    with pytest.raises(MembershipError) as refused:
        concerns.decide(
            second,
            actor=world.users["officer"],
            data={"outcome": "suspension", "reasons": "Again.", "remedies": []},
        )
    assert refused.value.field == "outcome"
    second.refresh_from_db()
    assert second.state == ConcernState.RESPONDED
    concerns.decide(
        second, actor=world.users["officer"], data={"outcome": "no_action", "reasons": "Fine."}
    )
    assert Concern.objects.get(pk=second.pk).changed_status is False
    # An appeal on the decision that changed nothing never reinstates the member.
    concerns.appeal(second, side=AppealSide.RAISER, actor=None, data={"grounds": "More."})
    concerns.decide_appeal(
        second,
        actor=officer2,
        data={"outcome": "no_action", "reasons": "Stands.", "remedies": []},
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.SUSPENDED
    # The appeal on the one that suspended it does, under a neutral reason.
    concerns.appeal(
        concern,
        side=AppealSide.EMPLOYER,
        actor=world.users["employer"],
        data={"grounds": "Unfair."},
    )
    concerns.decide_appeal(
        concern, actor=officer2, data={"outcome": "no_action", "reasons": "Too harsh."}
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert "Too harsh" not in membership.status_reason
    assert "concern" not in membership.status_reason.lower()


def test_remedies_dropped_on_appeal_and_listed_in_the_decisions_audit(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    officer2 = _second_officer(world)
    concern = _decided(world, membership)
    decided = AuditEvent.objects.get(context=f"concern:{concern.pk}", action="concern.decide")
    due = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    assert decided.changes["remedies"] == [
        None,
        [
            {
                "detail": "Invite supply staff to the consultation",
                "owner": "Head teacher",
                "due_on": due,
            }
        ],
    ]
    concerns.appeal(concern, side=AppealSide.RAISER, actor=None, data={"grounds": "Weak."})
    concerns.decide_appeal(
        concern, actor=officer2, data={"outcome": "suspension", "reasons": "Worse than that."}
    )
    [remedy] = concern.remedies.all()
    assert remedy.status == "dropped"
    assert AuditEvent.objects.filter(
        context=f"concern:{concern.pk}", action="action.dropped"
    ).exists()


def test_the_raiser_is_told_of_the_decision_without_reasons_and_subjects_name_no_one(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    name = membership.employer.name
    start = max(OutboxMessage.objects.values_list("pk", flat=True), default=0)
    with django_capture_on_commit_callbacks(execute=True):
        _decided(world, membership, outcome=ConcernOutcome.NO_ACTION)
        public = concerns.raise_concern(
            membership,
            actor=None,
            data={"subject": SUBJECT, "raiser_name": "Pat", "raiser_email": "pat@example.net"},
        )
        concerns.confirm(public)
        concerns.decide(
            public, actor=world.users["officer"], data={"outcome": "no_action", "reasons": REASONS}
        )
    sent = list(OutboxMessage.objects.filter(pk__gt=start))
    assert sent and all(name not in m.subject for m in sent)
    until = f"{timezone.localdate() + datetime.timedelta(days=28):%-d %B %Y}"
    for address in (world.users["outsider"].email, "pat@example.net"):
        [told] = [m for m in sent if m.to == address and "decision" in m.subject.lower()]
        assert until in told.body, address
        assert REASONS not in told.body and "Agreed with the head." not in told.body
        assert "We now include them." not in told.body
    [public_told] = [m for m in sent if m.to == "pat@example.net" and "decision" in m.subject]
    # The link is signed with the time it was made: read it back rather than make it again.
    link = re.search(r"/concerns/link/([^/\s]+)/", public_told.body)
    assert link and concerns.from_token(link.group(1)) == public


def test_the_raise_form_warns_the_words_may_reach_the_employer(world: World) -> None:
    world.enrolment(State.LISTED)
    url = reverse("concern-raise", args=[Membership.objects.get().reference])
    for client in (_client(), _client(world.users["outsider"])):
        assert "may be shown to the employer" in client.get(url).content.decode()


def test_remedy_fields_refuse_control_characters(world: World) -> None:
    form = DecisionForm(
        data={"outcome": "remedies", "reasons": "Fine.", "remedy_1_detail": "Bad\x07text"}
    )
    assert not form.is_valid() and "remedy_1_detail" in form.errors


def test_the_same_concern_sent_twice_is_recorded_once(world: World) -> None:
    world.enrolment(State.LISTED)
    membership = Membership.objects.get()
    data = {"subject": "Unpaid breaks", "raiser_name": "Pat", "raiser_email": "pat@example.net"}
    first = concerns.raise_concern(membership, actor=None, data=dict(data))
    again = concerns.raise_concern(membership, actor=None, data=dict(data))
    assert again.pk == first.pk
    assert Concern.objects.count() == 1
    assert OutboxMessage.objects.filter(to="pat@example.net").count() == 1
    # A different concern from the same person is a new one.
    other = concerns.raise_concern(membership, actor=None, data={**data, "subject": "Rotas"})
    assert other.pk != first.pk


def test_a_remedy_row_half_written_is_refused_naming_its_field() -> None:
    form = DecisionForm({"outcome": "remedies", "reasons": "Agreed.", "remedy_2_owner": "Bursar"})
    assert not form.is_valid()
    assert form.errors["remedy_2_detail"] == ["Say what remedy 2 is, or clear its row."]


def test_a_download_of_ones_data_keeps_the_concern_as_its_pages_do(world: World) -> None:
    world.enrolment(State.LISTED)
    concern = _decided(world, Membership.objects.get(), outcome="no_action")

    def concern_rows(user: User) -> list[dict]:
        data = subject_access.collect(user)
        return next(s for s in data["records"] if s["kind"] == "membership.concern")["rows"]

    (raised,) = concern_rows(world.users["outsider"])
    assert raised["id"] == concern.pk and raised["outcome"] == "no_action"
    assert raised["subject"] == SUBJECT
    assert {"reasons", "put_note", "response", "decided_by_id"}.isdisjoint(raised)
    (decided,) = concern_rows(world.users["officer"])
    assert decided["reasons"] == "Agreed with the head."
    assert {"raised_by_id", "raiser_name", "raiser_email"}.isdisjoint(decided)
