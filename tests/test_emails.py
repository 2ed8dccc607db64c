"""Every e-mail Accord sends, read back as a mail program reads it (Python's `email` package with
its default, strict policy): an HTML and a text part, no defects, the "Accord: " prefix, a
subject whose first line carries text, a Date in the server's zone, a greeting by name, and a
footer saying why the person receives it and where to change what they receive."""

from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import re
from html.parser import HTMLParser

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accord.accounts import services as account_services
from accord.accounts.models import Role, RoleAssignment, User
from accord.core import outbox
from accord.core.mail import subject_line
from accord.core.text import shorten
from accord.enrolments import join_requests
from accord.enrolments.process import State
from accord.membership import policy_checks
from accord.membership.models import Membership
from accord.notifications.reminders import send_reminders
from accord.organisations.models import EmployerKind
from tests.world import World

PREFERENCES = "http://testserver-site/accounts/email-preferences/"


def _read(message: mail.EmailMessage) -> tuple[email.message.EmailMessage, bytes]:
    """The message as its bytes travel, parsed strictly; it must parse without a defect."""
    raw = message.message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    for part in parsed.walk():
        assert not part.defects, (parsed["Subject"], part.defects)
    return parsed, raw


def _raw_subject_first_line(raw: bytes) -> bytes:
    head = raw.split(b"\n\n", 1)[0]
    [line] = [line for line in head.splitlines() if line.startswith(b"Subject:")]
    return line[len(b"Subject:") :].strip()


class _Page(HTMLParser):
    """What a person (or a screen reader) meets in the HTML part."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.lang = ""
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if tag == "a":
            self._href, self._text = values.get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


def _parts(parsed: email.message.EmailMessage) -> tuple[str, _Page]:
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    page = _Page()
    page.feed(parsed.get_body(preferencelist=("html",)).get_content())
    return text, page


def _national_office() -> User:
    return User.objects.create_superuser(
        "root@example.org", "root@example.org", None, full_name="National Office"
    )


def one_of_each(world: World, settings) -> list[mail.EmailMessage]:  # type: ignore[no-untyped-def]
    """One of each e-mail Accord sends, delivered through the outbox."""
    settings.SITE_URL = "http://testserver-site"
    world.enrolment(State.LISTED)  # every joining step's e-mail, and the proposer told
    membership = Membership.objects.get()
    policy_checks.log_policy(
        membership,
        actor=world.users["employer"],
        data={
            "title": "Flexible working — staff’s requests for part-time hours after parental leave",
            "description": "A new policy.",
        },
    )
    join_requests.submit(
        scheme=world.scheme,
        data={
            "employer_name": "Northtown Sixth Form College",
            "kind": EmployerKind.COLLEGE,
            "local_authority": world.employer.local_authority,
            "contact_name": "Ann Clerk",
            "job_title": "Principal",
            "email": "principal@example.org",
            "message": "We would like to join.",
        },
    )
    office = _national_office()
    for address, name in (("new@example.org", "New Person"), ("rep@example.org", "Rep")):
        account_services.invite(
            email=address,
            full_name=name,
            roles=[account_services.RoleSpec("auditor")],
            actor=office,
        )
    Client().post(reverse("account_reset_password"), {"email": "secretary@example.org"})
    plan = world.plan()
    RoleAssignment.objects.create(
        user=world.users["unison"],
        role=Role.PLAN_MEMBER,
        plan=plan,
        party=plan.parties.get(name="Trade Union side"),
    )
    with time_machine.travel(datetime.datetime(2008, 11, 25, 7, 0), tick=False):
        send_reminders()
    mail.outbox.clear()
    outbox.deliver_due()
    return list(mail.outbox)


def test_every_email_has_a_text_and_an_html_part_in_the_house_layout(
    world: World, settings
) -> None:  # type: ignore[no-untyped-def]
    sent = one_of_each(world, settings)
    subjects = set()
    for message in sent:
        parsed, raw = _read(message)
        subject = parsed["Subject"]
        subjects.add(subject)
        assert subject.startswith("Accord: ") and not subject.startswith("Accord: Accord:")
        assert _raw_subject_first_line(raw), subject
        text, page = _parts(parsed)
        # Greeted by name alone, at the top of both parts.
        name = message.to[0]
        assert re.match(r"Dear [^(),]+,\n", text), (subject, text[:80])
        assert page.lang == "en-GB"
        assert "h1" in page.tags and "p" in page.tags
        assert "table" not in page.tags
        assert "You receive this because " in text
        link_texts = [t.lower() for t, _ in page.links]
        assert not any(t in ("here", "click here", "link") for t in link_texts), name
        if message.to == ["principal@example.org"]:
            continue  # the requester has no account, so no preferences to change
        assert f"daily or weekly digest:\n{PREFERENCES}\n" in text, subject
        assert ("Change which e-mails you receive", PREFERENCES) in page.links
        assert ("Open Accord", "http://testserver-site/") in page.links
        # Every address in the text part stands on its own line, never followed by a full stop.
        assert not re.search(r"https?://\S*[.,;:]\s", text), text
    # Each sender was heard from.
    for expected in (
        "Accord: Waiting for you: Record no objection — Northtown High School",
        "Accord: An employer asks to join: Northtown Sixth Form College",
        "Accord: Your request to join the Valued Worker Scheme",
        "Accord: You are invited to Accord",
        "Accord: You have a new role in Accord",
        "Accord: Reset your password",
    ):
        assert expected in subjects, (expected, sorted(subjects))
    assert any(s.startswith("Accord: A new policy to assess: Flexible working") for s in subjects)
    assert (
        "Accord: Plan action due in a week: Government Skills Trade Union Action Plan" in subjects
    )


def test_the_footer_says_which_role_brought_the_email(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    sent = one_of_each(world, settings)
    case = "http://testserver-site" + Membership.objects.get().enrolment.get_absolute_url()
    [to_nem] = [m for m in sent if m.subject.startswith("Accord: Waiting for you: Record no")]
    text, page = _parts(_read(to_nem)[0])
    assert text.startswith("Dear Nem,\n")
    assert (
        "You receive this because you are the National Executive Member for NASUWT, Northern."
        in text
    )
    assert ("Open the case of Northtown High School in Accord", case) in page.links
    [policy] = [m for m in sent if "A new policy to assess" in m.subject]
    text, _ = _parts(_read(policy)[0])
    assert "You receive this because you are the local secretary for NASUWT, Northtown." in text
    [requester] = [m for m in sent if m.to == ["principal@example.org"]]
    text, _ = _parts(_read(requester)[0])
    assert text.startswith("Dear Ann Clerk,\n")
    assert "You receive this because you asked, on the Valued Worker Scheme site" in text


def test_a_long_title_is_cut_after_a_whole_word_with_an_ellipsis(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    sent = one_of_each(world, settings)
    [to_member] = [m for m in sent if m.to == ["unison@example.org"] and "action" in m.subject]
    parsed, _ = _read(to_member)
    text, _ = _parts(parsed)
    # Action 2's detail is "Produce a sector map showing distribution of Union Learning Reps.
    # within government", 83 characters: shown in 80, it ends at "within".
    assert "(“Produce a sector map showing distribution of Union Learning Reps. within…”," in text
    assert "governm" not in text
    assert text.startswith("Dear Unison,\n")
    # The subject says what and which plan; the detail is in the body.
    assert parsed["Subject"] == (
        "Accord: Plan action due in a week: Government Skills Trade Union Action Plan"
    )


def test_shorten_cuts_at_a_word_and_leaves_short_text_alone() -> None:
    assert shorten("Agree the joint approach to skills within government", 40) == (
        "Agree the joint approach to skills…"
    )
    assert shorten("Agree the joint approach", 40) == "Agree the joint approach"
    assert shorten("Agree the  joint\napproach", 24) == "Agree the joint approach"
    assert subject_line("Accord: Reset your password") == "Accord: Reset your password"
    assert subject_line("Line one\nline two") == "Accord: Line one line two"


def test_a_long_encoded_subject_starts_on_the_subject_line(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    sent = one_of_each(world, settings)
    [policy] = [m for m in sent if "A new policy to assess" in m.subject]
    parsed, raw = _read(policy)
    assert parsed["Subject"] == (
        "Accord: A new policy to assess: Flexible working — staff’s requests for part-time "
        "hours after parental leave — Northtown High School"
    )
    assert b"=?utf-8?" in raw  # it is encoded, and long enough to fold
    assert _raw_subject_first_line(raw).startswith(b"=?utf-8?q?Accord")


def test_the_date_is_in_the_servers_zone(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.TIME_ZONE == "Europe/London"
    office = _national_office()
    for moment, offset, written in (
        # Naive moments are UTC to time-machine, which then leaves the zone alone.
        (datetime.datetime(2026, 7, 1, 12, 0), 3600, "+0100"),
        (datetime.datetime(2026, 1, 15, 12, 0), 0, "+0000"),
    ):
        mail.outbox.clear()
        with time_machine.travel(moment, tick=False):
            account_services.invite(
                email=f"date{offset}@example.org",
                full_name="Date Person",
                roles=[account_services.RoleSpec("auditor")],
                actor=office,
            )
            outbox.deliver_due()
            [message] = mail.outbox
            parsed, raw = _read(message)
        assert b"-0000" not in raw.split(b"\n\n", 1)[0]
        date = email.utils.parsedate_to_datetime(parsed["Date"])
        assert date.utcoffset() == datetime.timedelta(seconds=offset)
        assert parsed["Date"].endswith(written)
        assert date == moment.replace(tzinfo=datetime.UTC)


def test_text_typed_by_a_visitor_is_shown_as_text_in_the_html_part(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    """The join form is open to anyone: what they type reaches officers' and their own HTML
    part as words, never as markup."""
    settings.SITE_URL = "http://testserver-site"
    join_requests.submit(
        scheme=world.scheme,
        data={
            "employer_name": '<img src="http://evil.example/x.png" onerror="alert(1)"> School',
            "kind": EmployerKind.COLLEGE,
            "local_authority": world.employer.local_authority,
            "contact_name": '<a href="http://evil.example/">Ann</a>',
            "job_title": "Principal",
            "email": "principal@example.org",
            "message": "<script>alert(1)</script>",
        },
    )
    mail.outbox.clear()
    outbox.deliver_due()
    assert len(mail.outbox) >= 2  # the requester, and at least one officer
    for message in mail.outbox:
        parsed, _raw = _read(message)
        text, page = _parts(parsed)
        assert "img" not in page.tags and "script" not in page.tags
        assert all("evil.example" not in href for _words, href in page.links)
        html = parsed.get_body(preferencelist=("html",)).get_content()
        assert "&lt;img src=" in html
        assert "<img" in text


def test_the_scheme_is_named_with_the(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    sent = one_of_each(world, settings)
    [requester] = [m for m in sent if m.to == ["principal@example.org"]]
    parsed, _ = _read(requester)
    assert parsed["Subject"] == "Accord: Your request to join the Valued Worker Scheme"
    text, _ = _parts(parsed)
    assert "Northtown Sixth Form College to join the Valued Worker Scheme." in text
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert re.search(r"<h1[^>]*>Your request to join the Valued Worker Scheme</h1>", html)
    [asks] = [m for m in sent if m.subject.startswith("Accord: An employer asks to join")]
    text, _ = _parts(_read(asks)[0])
    assert "asks to join the Valued Worker Scheme." in text
    told = [_parts(_read(m)[0])[0] for m in sent]
    assert any(
        "you proposed Northtown High School for the Valued Worker Scheme." in t for t in told
    )
    for message in sent:
        parsed, _ = _read(message)
        text, _ = _parts(parsed)
        html = parsed.get_body(preferencelist=("html",)).get_content()
        for part in (parsed["Subject"], text, html):
            assert not re.search(r"(join|for|to|in) Valued Worker Scheme", part), part


def test_a_subject_too_long_is_never_cut_inside_a_date() -> None:
    subject = (
        "Escalated to you: Northtown High School and Sixth Form College of the Northern Star "
        "Academy Trust's review of cycle 12 is overdue since 17 November 2008"
    )
    # 150 characters with the prefix would end "…since 17…"; the date is dropped whole.
    assert subject_line(subject) == (
        "Accord: Escalated to you: Northtown High School and Sixth Form College of the "
        "Northern Star Academy Trust's review of cycle 12 is overdue…"
    )


def test_the_step_email_does_not_repeat_its_heading(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    sent = one_of_each(world, settings)
    [to_nem] = [m for m in sent if m.subject.startswith("Accord: Waiting for you: Record no")]
    parsed, _ = _read(to_nem)
    html = parsed.get_body(preferencelist=("html",)).get_content()
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    assert re.search(r">Waiting for you: Record no objection — Northtown High School</h1>", html)
    assert re.search(r">Steps for you to take</h2>", html)
    assert ">Waiting for you</h2>" not in html
    assert "Open the case in Accord:\nhttp://testserver-site/" in text
    assert "Accord, at " not in html
